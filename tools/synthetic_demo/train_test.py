# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""``tools/train.py`` and then ``tools/test.py``, in one process.

The main job trains and tests dozens of small students; starting Python,
torch and MMAction2 once per run instead of twice halves that overhead
(it was a third of a main-job run on a 2-core machine). Each tool runs
exactly as from its own command line; the test checkpoint is the one
``--checkpoint`` names in the train work dir (a glob such as
``best_*.pth``, which must match one file).

Example::

    python tools/synthetic_demo/train_test.py --checkpoint 'best_*.pth' \\
        -- CONFIG --work-dir DIR --seed 0 --cfg-options KEY=VALUE ...
"""
import argparse
import glob
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from tools import test as test_tool  # noqa: E402
from tools import train as train_tool  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--checkpoint', required=True,
                        help='the checkpoint to test, a glob in the work dir')
    parser.add_argument('train_args', nargs=argparse.REMAINDER,
                        help="tools/train.py's arguments, after --")
    args = parser.parse_args(argv)
    if args.train_args[:1] == ['--']:
        args.train_args = args.train_args[1:]
    return args


def argv_of_test(train_args, checkpoint):
    """tools/test.py's arguments for a run of tools/train.py's."""
    train = train_tool.parse_args(train_args)
    found = glob.glob(osp.join(train.work_dir, checkpoint))
    if len(found) != 1:
        raise FileNotFoundError(f'expected one {checkpoint} in '
                                f'{train.work_dir}, found {found}')
    argv = [train.config, found[0], '--work-dir', train.work_dir]
    if '--cfg-options' in train_args:  # the same text, not re-printed values
        start = train_args.index('--cfg-options') + 1
        end = next((i for i in range(start, len(train_args))
                    if train_args[i].startswith('--')), len(train_args))
        argv += ['--cfg-options', *train_args[start:end]]
    return argv


def main(argv=None):
    args = parse_args(argv)
    train_tool.main(args.train_args)
    test_tool.main(argv_of_test(args.train_args, args.checkpoint))


if __name__ == '__main__':
    main()
