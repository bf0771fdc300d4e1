# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Converts a 3D-ResNeXt checkpoint of Hara et al. to MMAction2 keys.

The input is a checkpoint of ``3D-ResNets-PyTorch`` (CVPR 2018), e.g.
``resnext-101-kinetics.pth``: a dict with ``epoch``, ``arch``,
``state_dict`` (``module.``-prefixed keys) and ``optimizer``. The output is
``{'state_dict': ..., 'meta': ...}`` with ``backbone.*`` keys (and
``cls_head.fc_cls.*`` with ``--keep-fc``) that load into::

    model = dict(
        type='Recognizer3D',
        backbone=dict(type='ResNeXt3D', depth=101),
        cls_head=dict(type='I3DHead', in_channels=2048, num_classes=K))

Example::

    python tools/model_converters/hara_resnext_to_mmaction.py \\
        resnext-101-kinetics.pth resnext101_hara_kinetics_mmaction.pth
"""
import argparse
import os
import os.path as osp
import pickle
import sys

import torch

from hallucinet_mm.models.backbones.hara_conversion import (
    HaraCheckpointError, convert_hara_checkpoint)


def parse_args(argv=None):
    """Parses the command line.

    Args:
        argv (list[str], optional): Arguments. Defaults to None
            (``sys.argv[1:]``).

    Returns:
        argparse.Namespace: ``src``, ``dst`` and ``keep_fc``.
    """
    parser = argparse.ArgumentParser(
        description='Convert a Hara et al. (3D-ResNets-PyTorch) ResNeXt '
        'checkpoint to an MMAction2 Recognizer3D checkpoint')
    parser.add_argument('src', help='input checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint (.pth)')
    parser.add_argument(
        '--keep-fc',
        action='store_true',
        help='keep the classifier as cls_head.fc_cls.* (I3DHead); by '
        'default it is dropped and only backbone.* keys are written')
    return parser.parse_args(argv)


def main(argv=None):
    """Runs the conversion; returns the process exit status."""
    args = parse_args(argv)
    try:
        checkpoint = torch.load(
            args.src, map_location='cpu', weights_only=True)
    except FileNotFoundError:
        print(f'error: {args.src} does not exist', file=sys.stderr)
        return 1
    except pickle.UnpicklingError as err:
        print(f'error: {args.src} is not a plain checkpoint of tensors '
              '(torch.load with weights_only=True refused it): '
              f'{str(err).splitlines()[0]}', file=sys.stderr)
        return 1
    try:
        state_dict, meta = convert_hara_checkpoint(
            checkpoint, keep_fc=args.keep_fc)
    except HaraCheckpointError as err:
        print(f'error: {args.src}: {err}', file=sys.stderr)
        return 1
    meta['converted_from'] = osp.basename(args.src)
    dst_dir = osp.dirname(osp.abspath(args.dst))
    os.makedirs(dst_dir, exist_ok=True)
    torch.save({'state_dict': state_dict, 'meta': meta}, args.dst)

    num_backbone = sum(k.startswith('backbone.') for k in state_dict)
    fc = ('no fc' if meta['num_classes'] is None else
          f'fc with {meta["num_classes"]} classes')
    print(f'Read {args.src}: arch {meta["arch"]}, epoch {meta["epoch"]}, '
          f'ResNeXt-{meta["depth"]} (cardinality {meta["cardinality"]}), '
          f'{fc}.')
    print(f'Converted {num_backbone} backbone tensors to backbone.* '
          '("module." prefix removed).')
    if meta['added_num_batches_tracked']:
        print(f'Added {meta["added_num_batches_tracked"]} BN '
              'num_batches_tracked buffers (set to 0) that the input lacks '
              '(written by PyTorch < 0.4).')
    if args.keep_fc:
        print(f'Kept fc as cls_head.fc_cls.* ({meta["num_classes"]} '
              f'classes): use I3DHead(in_channels=2048, '
              f'num_classes={meta["num_classes"]}).')
    elif meta['num_classes'] is not None:
        print('Dropped fc.weight and fc.bias (use --keep-fc to keep them).')
    print(f'Saved {args.dst} (config: backbone=dict(type=\'ResNeXt3D\', '
          f'depth={meta["depth"]}, cardinality={meta["cardinality"]})).')
    return 0


if __name__ == '__main__':
    sys.exit(main())
