# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Load a torchvision student's ImageNet weights at init, not at build.

MMAction2's ``Recognizer2D`` builds a ``torchvision.*`` backbone with its
``weights`` argument, so merely building the model downloads them (or
fails offline), even for inference where a trained checkpoint replaces
them. MMAction2's own backbones instead load ``pretrained`` weights in
``init_weights()``, which mmengine's Runner calls before training only.
These helpers give torchvision backbones the same behaviour.
"""
import copy
from typing import Dict, Optional, Tuple

import torch.nn as nn

TORCHVISION_PREFIX = 'torchvision.'


def defer_torchvision_weights(backbone: Dict) -> Tuple[Dict, Optional[Dict]]:
    """Splits a torchvision backbone config from its pretrained weights.

    Args:
        backbone (dict): A backbone config as for ``Recognizer2D``.

    Returns:
        tuple: The config to build (``weights`` removed) and the spec for
        :func:`load_torchvision_weights` (``arch``, ``weights``,
        ``kwargs``), or the config unchanged and None when there is nothing
        to defer (not a ``'torchvision.<name>'`` type, or no weights).
    """
    backbone_type = backbone.get('type')
    if not (isinstance(backbone_type, str)
            and backbone_type.startswith(TORCHVISION_PREFIX)
            and backbone.get('weights') is not None):
        return backbone, None
    build_cfg = copy.deepcopy(dict(backbone))
    weights = build_cfg.pop('weights')
    kwargs = {
        k: v
        for k, v in build_cfg.items() if k not in ('type', 'feature_shape')
    }
    spec = dict(
        arch=backbone_type[len(TORCHVISION_PREFIX):],
        weights=weights,
        kwargs=kwargs)
    return build_cfg, spec


def load_torchvision_weights(backbone: nn.Module, spec: Dict) -> None:
    """Loads deferred torchvision weights into a built backbone, in place.

    The network is built again by torchvision with the weights (from the
    torch hub cache, ``$TORCH_HOME/hub/checkpoints``, or downloaded), its
    classifier dropped as ``Recognizer2D`` drops it, and its state copied
    strictly into ``backbone``: the parameters stay the same objects, so an
    optimizer built before keeps working.

    Args:
        backbone (nn.Module): The recognizer's backbone (built without
            weights).
        spec (dict): From :func:`defer_torchvision_weights`.

    Raises:
        RuntimeError: If the weights do not fit the backbone.
    """
    import torchvision.models
    pretrained = torchvision.models.__dict__[spec['arch']](
        weights=spec['weights'], **spec['kwargs'])
    pretrained.classifier = nn.Identity()
    pretrained.fc = nn.Identity()
    try:
        backbone.load_state_dict(pretrained.state_dict(), strict=True)
    except RuntimeError as err:
        raise RuntimeError(
            f'torchvision weights {spec["weights"]!r} of {spec["arch"]} do '
            f'not fit the backbone: {err}') from err
    # Builders that change behaviour with weights (inception_v3, googlenet).
    if hasattr(pretrained, 'transform_input'):
        backbone.transform_input = pretrained.transform_input
