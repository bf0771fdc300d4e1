# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Precompute the frozen teacher's features (phi_t) of a split, once.

A command line over :func:`hallucinet_mm.store.extract_teacher_features`
(what is stored, and how: :mod:`hallucinet_mm.store.writer`). Work is cut
into shards of ``--shard-size`` samples, each written atomically; a rerun
skips intact shards (``--verify sha256``, the default, hashes them and the
finished store in full; ``size`` only checks sizes) and rebuilds a damaged
store. With ``torchrun`` (``--launcher pytorch``) rank ``r`` of ``W`` takes
shards ``i % W == r`` (no process group is needed); rank 0 waits for all
shards (at most ``--wait-timeout`` seconds without progress, then it names
the missing ones), then writes ``keys.json`` and, last, ``manifest.json``.
The shards are the store's features: nothing is copied.

Examples:
    python tools/extract_teacher_features.py \\
        configs/synthetic/hallucinet_r18_synthetic_store.py \\
        --out work_dirs/teacher_store_r3d18_synthetic/train --split train
    torchrun --nproc_per_node 4 tools/extract_teacher_features.py CONFIG \\
        --out DIR --launcher pytorch
"""
import argparse
import os
import os.path as osp
import sys
from typing import Dict, Optional

from mmengine.config import Config

_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if _ROOT not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, _ROOT)

import hallucinet_mm  # noqa: E402,F401  (registers, applies compat)
from hallucinet_mm.engine.tool_cfg import add_cfg_options  # noqa: E402
from hallucinet_mm.store.format import DTYPES  # noqa: E402
from hallucinet_mm.store.reader import VERIFY_MODES  # noqa: E402
from hallucinet_mm.store.writer import extract_teacher_features  # noqa: E402

__all__ = ['extract_teacher_features', 'main', 'parse_args']


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Precompute the frozen teacher features of a split into '
        'a teacher-feature store')
    parser.add_argument('config', help='config file (online or store)')
    parser.add_argument('--out', required=True, help='the store directory')
    parser.add_argument(
        '--split',
        default='train',
        help="train, val or test; train.N for the N-th dataset of a "
        'ConcatDataset (e.g. a labeled and an unlabeled list)')
    parser.add_argument('--dtype', choices=DTYPES, default='float32')
    parser.add_argument(
        '--shard-size', type=int, default=256, help='samples per shard')
    parser.add_argument(
        '--batch-size', type=int, help='clips per teacher forward '
        '(default: the dataloader batch size)')
    parser.add_argument(
        '--num-workers', type=int, help='decoding workers (default: the '
        "dataloader's)")
    parser.add_argument('--device', help='default: cuda:LOCAL_RANK or cpu')
    parser.add_argument(
        '--max-shards',
        type=int,
        help='compute at most this many new shards, then stop (rerun to '
        'continue)')
    parser.add_argument(
        '--verify',
        choices=VERIFY_MODES,
        default='sha256',
        help='how an existing store and its shards are checked before they '
        'count as complete: full sha256 (and finite values), or sizes only')
    parser.add_argument(
        '--wait-timeout',
        type=float,
        default=1800.0,
        dest='wait_timeout_s',
        help="rank 0 stops waiting for the other ranks' shards, naming the "
        'missing ones, when none was completed for this many seconds')
    add_cfg_options(parser,
                    'override settings in the config, key=value pairs')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None) -> Optional[Dict]:
    """Command-line entry point.

    Args:
        argv (list[str], optional): Arguments; None uses ``sys.argv``.

    Returns:
        dict | None: The manifest on rank 0 once the store is complete.
    """
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    rank, world_size = 0, 1
    if args.launcher == 'pytorch':
        for key in ('RANK', 'WORLD_SIZE'):
            if key not in os.environ:
                raise RuntimeError(f'--launcher pytorch needs {key}: start '
                                   'the job with torchrun')
        rank = int(os.environ['RANK'])
        world_size = int(os.environ['WORLD_SIZE'])
        os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    options = {
        name: getattr(args, name)
        for name in ('split', 'dtype', 'shard_size', 'batch_size',
                     'num_workers', 'device', 'max_shards', 'verify',
                     'wait_timeout_s')
    }
    return extract_teacher_features(
        cfg, args.out, rank=rank, world_size=world_size, **options)


if __name__ == '__main__':
    main()
