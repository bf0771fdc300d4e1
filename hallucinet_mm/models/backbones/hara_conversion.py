# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Conversion of Hara et al.'s 3D-ResNeXt checkpoints to :class:`ResNeXt3D`.

Checkpoints of the ``3D-ResNets-PyTorch`` release (``module.``-prefixed,
with an ``fc`` classifier) convert by renaming only, since
:class:`~.resnext3d.ResNeXt3D` keeps the release's module names. This is
the offline conversion that :mod:`.hara_layout`'s policy asks for
(``tools/model_converters/hara_resnext_to_mmaction.py``).
"""
import re
from collections import OrderedDict
from typing import Dict, Tuple

import torch
from torch import Tensor

from .hara_layout import HaraCheckpointError
from .resnext3d import ARCH_SETTINGS, EXPANSION, STAGE_PLANES, ResNeXt3D


_MAX_LISTED = 20
_LAYER_KEY = re.compile(r'^layer([1-4])\.(\d+)\.')
_FC_KEYS = ('fc.weight', 'fc.bias')
_ARCH = re.compile(r'^resnext-?(\d+)$')


def _list_keys(keys) -> str:
    """Formats keys for an error message (sorted, long lists truncated)."""
    keys = sorted(keys)
    text = ', '.join(repr(k) for k in keys[:_MAX_LISTED])
    if len(keys) > _MAX_LISTED:
        text += f', ... ({len(keys) - _MAX_LISTED} more)'
    return text


def _infer_depth(keys) -> int:
    """Infers the depth from the number of blocks in each stage."""
    blocks = [set() for _ in STAGE_PLANES]
    for key in keys:
        match = _LAYER_KEY.match(key)
        if match:
            blocks[int(match.group(1)) - 1].add(int(match.group(2)))
    counts = tuple(len(b) for b in blocks)
    for depth, setting in ARCH_SETTINGS.items():
        if counts == setting:
            return depth
    raise HaraCheckpointError(
        f'cannot tell the ResNeXt depth of this state dict: its stages have '
        f'{counts} blocks, while depths {sorted(ARCH_SETTINGS)} have '
        f'{[ARCH_SETTINGS[d] for d in sorted(ARCH_SETTINGS)]}')


def _expected_tensors(depth: int, cardinality: int) -> 'OrderedDict':
    """Names and shapes of a :class:`ResNeXt3D` state dict (no allocation)."""
    with torch.device('meta'):
        model = ResNeXt3D(depth=depth, cardinality=cardinality)
    return OrderedDict(
        (k, tuple(v.shape)) for k, v in model.state_dict().items())


def _convert(state_dict, keep_fc, prefix, fc_prefix):
    """Does :func:`convert_hara_state_dict`; also returns depth, cardinality,
    the number of classes of the original fc (None without one) and the
    number of ``num_batches_tracked`` buffers added."""
    if not isinstance(state_dict, dict) or not state_dict:
        raise HaraCheckpointError(
            'expected a non-empty dict of tensors as the state dict, got '
            f'{type(state_dict).__name__}')
    non_tensors = [k for k, v in state_dict.items() if not torch.is_tensor(v)]
    if non_tensors:
        raise HaraCheckpointError(
            'not a state dict: these entries are not tensors: '
            f'{_list_keys(map(str, non_tensors))}')
    with_module = [k for k in state_dict if k.startswith('module.')]
    if with_module and len(with_module) != len(state_dict):
        bare = [k for k in state_dict if not k.startswith('module.')]
        raise HaraCheckpointError(
            'mixed key prefixes: most keys start with "module." but these '
            f'do not: {_list_keys(bare)}')
    strip = len('module.') if with_module else 0
    stripped = OrderedDict((k[strip:], v) for k, v in state_dict.items())

    allowed = re.compile(r'^(conv1\.|bn1\.|layer[1-4]\.\d+\.|fc\.)')
    foreign = [
        ('module.' if strip else '') + k for k in stripped
        if not allowed.match(k)
    ]
    if foreign:
        hint = ''
        if all(k.startswith(('backbone.', 'cls_head.')) for k in foreign):
            hint = ' (it looks already converted to MMAction2 keys)'
        raise HaraCheckpointError(
            f'not a Hara et al. 3D-ResNeXt state dict{hint}: unexpected '
            f'keys {_list_keys(foreign)}')

    depth = _infer_depth(stripped)
    conv2 = stripped.get('layer1.0.conv2.weight')
    if conv2 is None or conv2.dim() != 5 or conv2.shape[1] == 0:
        raise HaraCheckpointError(
            'missing or malformed key '
            f"{('module.' if strip else '') + 'layer1.0.conv2.weight'!r}; "
            'cannot infer the cardinality')
    cardinality = conv2.shape[0] // conv2.shape[1]
    if cardinality < 1 or conv2.shape[0] != cardinality * int(
            STAGE_PLANES[0] / 32):
        raise HaraCheckpointError(
            f"{('module.' if strip else '') + 'layer1.0.conv2.weight'!r} has "
            f'shape {tuple(conv2.shape)}, which fits no ResNeXt cardinality '
            f'(expected (cardinality * {int(STAGE_PLANES[0] / 32)}, '
            f'{int(STAGE_PLANES[0] / 32)}, 3, 3, 3))')
    expected = _expected_tensors(depth, cardinality)

    def original(key):
        return ('module.' if strip else '') + key

    missing = [
        original(k) for k in expected
        if k not in stripped and not k.endswith('num_batches_tracked')
    ]
    unexpected = [
        original(k) for k in stripped
        if k not in expected and k not in _FC_KEYS
    ]
    misshaped = [
        f'{original(k)!r} {tuple(stripped[k].shape)} (expected {shape})'
        for k, shape in expected.items()
        if k in stripped and tuple(stripped[k].shape) != shape
    ]
    fc_missing = [original(k) for k in _FC_KEYS if k not in stripped]
    if keep_fc:
        missing += fc_missing
        if not fc_missing:
            w, b = stripped['fc.weight'], stripped['fc.bias']
            feat_dim = STAGE_PLANES[-1] * EXPANSION
            if (w.dim() != 2 or w.shape[1] != feat_dim or b.dim() != 1
                    or b.shape[0] != w.shape[0]):
                misshaped.append(
                    f"{original('fc.weight')!r} {tuple(w.shape)} and "
                    f"{original('fc.bias')!r} {tuple(b.shape)} (expected "
                    f'(num_classes, {feat_dim}) and (num_classes,))')
    problems = []
    if missing:
        problems.append(f'missing keys: {_list_keys(missing)}')
    if unexpected:
        problems.append(f'unexpected keys: {_list_keys(unexpected)}')
    if misshaped:
        problems.append(f'shape mismatch: {"; ".join(misshaped)}')
    if problems:
        raise HaraCheckpointError(
            f'not a Hara et al. ResNeXt-{depth} (cardinality {cardinality}, '
            'shortcut type B) state dict: ' + '; '.join(problems))

    converted = OrderedDict()
    num_filled = 0
    for key in expected:
        if key in stripped:
            converted[prefix + key] = stripped[key]
        else:  # num_batches_tracked, absent before PyTorch 0.4
            converted[prefix + key] = torch.tensor(0, dtype=torch.long)
            num_filled += 1
    if keep_fc:
        converted[fc_prefix + 'weight'] = stripped['fc.weight']
        converted[fc_prefix + 'bias'] = stripped['fc.bias']
    fc = stripped.get('fc.weight')
    num_classes = int(fc.shape[0]) if fc is not None and fc.dim() else None
    return converted, depth, cardinality, num_classes, num_filled


def convert_hara_state_dict(state_dict: Dict[str, Tensor],
                            keep_fc: bool = False,
                            prefix: str = 'backbone.',
                            fc_prefix: str = 'cls_head.fc_cls.'
                            ) -> 'OrderedDict[str, Tensor]':
    """Converts the ``state_dict`` of a Hara et al. 3D-ResNeXt.

    ``module.`` (left by ``nn.DataParallel``) is stripped, ``prefix`` is
    prepended to the backbone keys and ``fc.weight``/``fc.bias`` become
    ``{fc_prefix}weight``/``{fc_prefix}bias`` (with ``keep_fc``) or are
    dropped. BN ``num_batches_tracked`` buffers, absent from checkpoints
    written by PyTorch < 0.4, are added as 0. Depth and cardinality are
    inferred from the keys and shapes; every key and shape is checked.

    Args:
        state_dict (dict[str, Tensor]): The ``state_dict`` entry of a Hara
            checkpoint (keys such as ``module.layer1.0.conv1.weight``).
        keep_fc (bool): Whether to keep the classifier. Defaults to False.
        prefix (str): Prefix of the backbone keys; ``''`` gives a bare
            :class:`ResNeXt3D` state dict. Defaults to ``'backbone.'``.
        fc_prefix (str): Prefix of the classifier keys. Defaults to
            ``'cls_head.fc_cls.'`` (``I3DHead``).

    Returns:
        OrderedDict[str, Tensor]: The converted state dict, in
        :class:`ResNeXt3D` order, classifier last.

    Raises:
        HaraCheckpointError: If the input is not such a state dict; the
            message names the missing, unexpected or misshaped keys.
    """
    return _convert(state_dict, keep_fc, prefix, fc_prefix)[0]


def convert_hara_checkpoint(checkpoint: dict,
                            keep_fc: bool = False,
                            prefix: str = 'backbone.',
                            fc_prefix: str = 'cls_head.fc_cls.'
                            ) -> Tuple['OrderedDict[str, Tensor]', dict]:
    """Converts a checkpoint of Hara et al.'s 3D-ResNets-PyTorch.

    Such a checkpoint is a dict with ``'epoch'``, ``'arch'`` (e.g.
    ``'resnext-101'``), ``'state_dict'`` and ``'optimizer'``.

    Args:
        checkpoint (dict): The loaded checkpoint.
        keep_fc (bool): Whether to keep the classifier. Defaults to False.
        prefix (str): Prefix of the backbone keys. Defaults to
            ``'backbone.'``.
        fc_prefix (str): Prefix of the classifier keys. Defaults to
            ``'cls_head.fc_cls.'``.

    Returns:
        tuple[OrderedDict, dict]: The converted state dict (see
        :func:`convert_hara_state_dict`) and meta information: ``arch``,
        ``depth``, ``cardinality``, ``epoch``, ``num_classes`` (of the
        original fc, None without one), ``fc_kept``,
        ``added_num_batches_tracked`` (BN buffers absent from the input and
        set to 0) and ``source``.

    Raises:
        HaraCheckpointError: If ``checkpoint`` is not such a checkpoint.
    """
    if not isinstance(checkpoint, dict) or 'state_dict' not in checkpoint:
        found = (_list_keys(map(str, checkpoint))
                 if isinstance(checkpoint, dict) else
                 f'a {type(checkpoint).__name__}')
        raise HaraCheckpointError(
            'not a Hara et al. 3D-ResNets checkpoint: expected a dict with '
            "'state_dict' (and 'arch', 'epoch', 'optimizer'); found "
            f'{found}')
    arch = checkpoint.get('arch')
    if arch is not None and not (isinstance(arch, str)
                                 and _ARCH.match(arch)):
        raise HaraCheckpointError(
            f"arch {arch!r} is not a ResNeXt (expected e.g. 'resnext-101')")
    converted, depth, cardinality, num_classes, num_filled = _convert(
        checkpoint['state_dict'], keep_fc, prefix, fc_prefix)
    if arch is not None and int(_ARCH.match(arch).group(1)) != depth:
        raise HaraCheckpointError(
            f'arch {arch!r} disagrees with the state dict, which holds a '
            f'ResNeXt-{depth}')
    epoch = checkpoint.get('epoch')
    meta = dict(
        source='3D-ResNets-PyTorch (Hara et al., CVPR 2018)',
        arch=arch if arch is not None else f'resnext-{depth}',
        depth=depth,
        cardinality=cardinality,
        epoch=int(epoch) if isinstance(epoch, (int, float)) else None,
        num_classes=num_classes,
        fc_kept=bool(keep_fc),
        added_num_batches_tracked=num_filled)
    return converted, meta
