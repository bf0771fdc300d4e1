# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Test (and evaluate) a checkpoint with MMEngine's Runner.

Examples:
    python tools/test.py CONFIG CHECKPOINT --dump results.pkl
    tools/dist_test.sh CONFIG CHECKPOINT 8
"""
from mmengine.config import Config
from mmengine.runner import Runner

import hallucinet_mm  # noqa: F401  (registers components, applies compat)
from hallucinet_mm.compat import setup_cpu_distributed
from hallucinet_mm.engine.checkpoint_files import check_checkpoint_matches
from hallucinet_mm.engine.hook_args import check_hook_args
from hallucinet_mm.engine.teardown import release_run_resources
from hallucinet_mm.engine.tool_cfg import (add_hooks, merge_cfg_options,
                                           merge_launcher_and_work_dir,
                                           parse_runner_args, runner_parser)
from hallucinet_mm.utils import drop_unused_teacher


def parse_args(argv=None):
    parser = runner_parser(
        'Test a recognizer', 'test config file path',
        ('checkpoint', 'checkpoint file'),
        work_dir_help='the directory to save the file containing evaluation '
        'metrics')
    parser.add_argument(
        '--dump',
        type=str,
        help='dump predictions to a pickle file for offline evaluation')
    return parse_runner_args(parser, argv)


def merge_args(cfg, args):
    """Merges the command-line arguments into the config."""
    merge_launcher_and_work_dir(cfg, args)
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError('--dump must name a .pkl or .pickle file')
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        evaluator = cfg.test_evaluator
        if isinstance(evaluator, (list, tuple)):
            cfg.test_evaluator = [*evaluator, dump_metric]
        else:
            cfg.test_evaluator = [evaluator, dump_metric]
    cfg.load_from = args.checkpoint
    merge_cfg_options(cfg, args)
    check_hook_args(cfg, args.config)
    if drop_unused_teacher(cfg):
        print('The test pipeline feeds no teacher clips: testing the student '
              'alone (the teacher is not built).')
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)
    add_hooks(cfg, ['CheckLabelRangeHook'])
    setup_cpu_distributed(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    # MMEngine loads a test checkpoint with strict=False: one of another
    # model would be tested with random weights, exit code 0.
    extra = check_checkpoint_matches(runner.model, cfg.load_from)
    if extra:
        print(f'{cfg.load_from}: {len(extra)} keys the test model does not '
              f'use are ignored: {", ".join(extra[:8])}')
    runner.test()
    del runner
    release_run_resources()


if __name__ == '__main__':
    main()
