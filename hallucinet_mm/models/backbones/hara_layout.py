# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Recognising an unconverted Hara et al. checkpoint, and the one policy.

Policy: an original ``3D-ResNets-PyTorch`` checkpoint (Hara et al.) is
converted once, offline, with
``tools/model_converters/hara_resnext_to_mmaction.py``; both entry points
that read 3D-ResNeXt weights, ``ResNeXt3D(pretrained=...)`` and
``FrozenTeacherWrapper(checkpoint=...)``, refuse the unconverted file and
print that command. Why offline: the converter checks every key and shape
once and writes what it did (arch, epoch, the BN buffers it added) next to
the weights, and the converted file is the one a teacher-feature store
fingerprints (``checkpoint_sha256``), so a store's manifest names the
weights the teacher actually ran with.
"""
from typing import Iterable

#: The converter every refusal names.
CONVERTER = 'tools/model_converters/hara_resnext_to_mmaction.py'


class HaraCheckpointError(ValueError):
    """Raised when an input is not a 3D-ResNeXt checkpoint of Hara et al.,
    or is one where a converted checkpoint is needed."""


def looks_like_hara(keys: Iterable[str]) -> bool:
    """Whether state-dict keys have Hara et al.'s unconverted layout.

    That layout has torchvision-style ``conv1``/``layer1`` keys with no
    MMAction2 ``backbone.``/``cls_head.`` prefix, and either the
    ``module.`` prefix of ``nn.DataParallel`` or the ``fc`` classifier. A
    bare :class:`~.ResNeXt3D` state dict (no prefix, no ``fc``) is not
    taken for one.

    Args:
        keys (Iterable[str]): The state dict's keys, as stored.

    Returns:
        bool: True for an unconverted Hara checkpoint.
    """
    keys = list(keys)
    wrapped = any(k.startswith('module.') for k in keys)
    bare = [k[len('module.'):] if k.startswith('module.') else k for k in keys]
    return ('conv1.weight' in bare
            and any(k.startswith('layer1.') for k in bare)
            and not any(k.startswith(('backbone.', 'cls_head.'))
                        for k in bare)
            and (wrapped or 'fc.weight' in bare))


def hara_hint(filename: str) -> str:
    """The sentence that tells how to convert ``filename``."""
    return (f'{filename} looks like an original Hara et al. '
            '(3D-ResNets-PyTorch) checkpoint: convert it first with\n  '
            f'python {CONVERTER} {filename} '
            'checkpoints/resnext-101-kinetics_mmaction.pth\nand load the '
            'converted file')
