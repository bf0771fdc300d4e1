# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""3D-ResNeXt backbone of Hara et al. (CVPR 2018).

The network is the ResNeXt of *Can Spatiotemporal 3D CNNs Retrace the
History of 2D CNNs and ImageNet?* (Hara, Kataoka and Satoh, CVPR 2018), as
released in the ``3D-ResNets-PyTorch`` project, which HalluciNet uses as its
teacher. Module names follow that release (``conv1``, ``bn1``,
``layer1`` .. ``layer4``; blocks with ``conv1..3``, ``bn1..3`` and
``downsample``), so its checkpoints convert by renaming only; see
:mod:`.hara_conversion`. ``pretrained`` takes a converted checkpoint and
refuses an unconverted one (the policy of :mod:`.hara_layout`).
"""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.logging import MMLogger
from mmengine.model import BaseModule, constant_init, kaiming_init
from mmengine.runner.checkpoint import _load_checkpoint
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from mmaction.registry import MODELS
from .hara_layout import HaraCheckpointError, hara_hint, looks_like_hara

#: Blocks per stage for each supported depth.
ARCH_SETTINGS = {
    50: (3, 4, 6, 3),
    101: (3, 4, 23, 3),
    152: (3, 8, 36, 3),
}
#: ``planes`` of the four stages; a stage outputs ``planes * EXPANSION``.
STAGE_PLANES = (128, 256, 512, 1024)
#: Stride of the first block of each stage (time, height and width alike).
STAGE_STRIDES = (1, 2, 2, 2)
EXPANSION = 2
STEM_CHANNELS = 64


def read_backbone_weights(filename: str) -> 'OrderedDict[str, Tensor]':
    """Reads a bare :class:`ResNeXt3D` state dict from a checkpoint file.

    Accepts an MMAction2 recognizer checkpoint (``backbone.`` keys are
    taken, others ignored) or a bare backbone state dict, read through
    mmengine's checkpoint loader (``weights_only`` for local files once
    :mod:`hallucinet_mm` is imported).

    Args:
        filename (str): Path or URL of the checkpoint.

    Returns:
        OrderedDict[str, Tensor]: Keys as in :class:`ResNeXt3D`.

    Raises:
        HaraCheckpointError: If the file holds no state dict, or an
            unconverted Hara et al. one (naming the converter).
    """
    checkpoint = _load_checkpoint(filename, map_location='cpu')
    state_dict = checkpoint
    if isinstance(checkpoint, dict) and 'state_dict' in checkpoint:
        state_dict = checkpoint['state_dict']
    if not isinstance(state_dict, dict):
        raise HaraCheckpointError(
            f'{filename} holds no state dict (got '
            f'{type(state_dict).__name__})')
    if looks_like_hara(state_dict):
        raise HaraCheckpointError(hara_hint(filename))
    if any(k.startswith('backbone.') for k in state_dict):
        return OrderedDict((k[len('backbone.'):], v)
                           for k, v in state_dict.items()
                           if k.startswith('backbone.'))
    return OrderedDict(state_dict)


class ResNeXtBottleneck3D(nn.Module):
    """3D ResNeXt bottleneck block (Hara et al., shortcut type B).

    ``conv1`` (1x1x1) reduces to ``cardinality * (planes // 32)`` channels,
    ``conv2`` (3x3x3, grouped, strided) mixes them and ``conv3`` (1x1x1)
    expands to ``planes * 2``. Every conv is bias-free and followed by a
    BatchNorm3d; the residual sum is followed by a ReLU.

    Args:
        inplanes (int): Number of input channels.
        planes (int): Base width of the block; the block outputs
            ``planes * 2`` channels.
        cardinality (int): Number of groups of ``conv2``. Defaults to 32.
        stride (int): Stride of ``conv2`` (applied to T, H and W).
            Defaults to 1.
        downsample (nn.Module, optional): Projection of the shortcut.
            Defaults to None (identity).
    """

    expansion = EXPANSION

    def __init__(self,
                 inplanes: int,
                 planes: int,
                 cardinality: int = 32,
                 stride: int = 1,
                 downsample: Optional[nn.Module] = None) -> None:
        super().__init__()
        mid_planes = cardinality * int(planes / 32)
        if mid_planes <= 0:
            raise ValueError(
                f'cardinality={cardinality} with planes={planes} gives a '
                'bottleneck width of 0')
        self.conv1 = nn.Conv3d(inplanes, mid_planes, 1, bias=False)
        self.bn1 = nn.BatchNorm3d(mid_planes)
        self.conv2 = nn.Conv3d(
            mid_planes,
            mid_planes,
            3,
            stride=stride,
            padding=1,
            groups=cardinality,
            bias=False)
        self.bn2 = nn.BatchNorm3d(mid_planes)
        self.conv3 = nn.Conv3d(
            mid_planes, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm3d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        """Defines the computation performed at every call.

        Args:
            x (Tensor): Input of shape (N, inplanes, T, H, W).

        Returns:
            Tensor: Output of shape (N, planes * 2, T', H', W').
        """
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


@MODELS.register_module()
class ResNeXt3D(BaseModule):
    """3D-ResNeXt backbone of Hara et al. (CVPR 2018).

    The stem is a 7x7x7 convolution (stride 1x2x2) with BN, ReLU and a 3x3x3
    max-pool (stride 2); four stages of :class:`ResNeXtBottleneck3D` follow,
    outputting 256, 512, 1024 and 2048 channels. Stages 2-4 halve time,
    height and width, so a 16x112x112 clip gives a 2048x1x4x4 map. Hara's
    average pool and fc are not part of the backbone: use ``with_pool`` or a
    head such as ``I3DHead`` (which global-average-pools; identical to
    Hara's ``AvgPool3d`` at the training size 16x112x112).

    Checkpoints of the original release are converted once with
    ``tools/model_converters/hara_resnext_to_mmaction.py``; ``pretrained``
    refuses an unconverted one and names that command, as the teacher
    (``FrozenTeacherWrapper``) does (see :mod:`.hara_layout`).

    Args:
        depth (int): Depth of the network, one of 50, 101 and 152.
            Defaults to 101.
        cardinality (int): Number of groups in the 3x3x3 convolutions.
            Defaults to 32.
        in_channels (int): Number of input channels. Defaults to 3.
        out_indices (Sequence[int]): Stages (0-3) whose outputs are returned.
            Defaults to ``(3, )``.
        frozen_stages (int): Stages to freeze (``requires_grad=False`` and
            eval mode): -1 freezes nothing, 0 the stem, ``i`` the stem and
            ``layer1`` .. ``layer{i}``. Defaults to -1.
        norm_eval (bool): Whether to keep every BN layer in eval mode while
            training (frozen running statistics). Defaults to False.
        with_pool (bool): Whether to global-average-pool each returned map
            to (N, C, 1, 1, 1). Defaults to False.
        pretrained (str, optional): Checkpoint to load in ``init_weights``:
            a converted recognizer checkpoint (``backbone.`` keys) or a bare
            backbone state dict; an unconverted Hara checkpoint raises
            :class:`HaraCheckpointError`. Loading is strict. Defaults to
            None.
        init_cfg (dict or list[dict], optional): Initialization config; not
            to be combined with ``pretrained``. Defaults to None (Kaiming
            normal convs, BN weight 1 and bias 0).
    """

    arch_settings = ARCH_SETTINGS

    def __init__(self,
                 depth: int = 101,
                 cardinality: int = 32,
                 in_channels: int = 3,
                 out_indices: Sequence[int] = (3, ),
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 with_pool: bool = False,
                 pretrained: Optional[str] = None,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None) -> None:
        if pretrained is not None and init_cfg is not None:
            raise ValueError('pretrained and init_cfg are mutually '
                             'exclusive; set only one of them')
        if pretrained is not None and not isinstance(pretrained, str):
            raise TypeError('pretrained must be a str or None, got '
                            f'{type(pretrained).__name__}')
        super().__init__(init_cfg=init_cfg)
        if depth not in self.arch_settings:
            raise KeyError(f'invalid depth {depth} for ResNeXt3D; choose '
                           f'from {sorted(self.arch_settings)}')
        if not isinstance(cardinality, int) or cardinality < 1:
            raise ValueError(
                f'cardinality must be a positive int, got {cardinality!r}')
        out_indices = tuple(out_indices)
        if not out_indices or any(
                i not in range(len(STAGE_PLANES)) for i in out_indices):
            raise ValueError('out_indices must be a non-empty sequence of '
                             f'stage indices in 0..3, got {out_indices}')
        if not -1 <= frozen_stages <= len(STAGE_PLANES):
            raise ValueError(
                f'frozen_stages must be in -1..4, got {frozen_stages}')
        self.depth = depth
        self.cardinality = cardinality
        self.in_channels = in_channels
        self.out_indices = out_indices
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.with_pool = with_pool
        self.pretrained = pretrained
        self.stage_blocks = self.arch_settings[depth]

        self.conv1 = nn.Conv3d(
            in_channels,
            STEM_CHANNELS,
            kernel_size=7,
            stride=(1, 2, 2),
            padding=3,
            bias=False)
        self.bn1 = nn.BatchNorm3d(STEM_CHANNELS)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool3d(kernel_size=3, stride=2, padding=1)

        self.inplanes = STEM_CHANNELS
        self.res_layers = []
        self.stage_channels = []
        for i, (num_blocks, planes, stride) in enumerate(
                zip(self.stage_blocks, STAGE_PLANES, STAGE_STRIDES)):
            layer_name = f'layer{i + 1}'
            self.add_module(layer_name,
                            self._make_layer(planes, num_blocks, stride))
            self.res_layers.append(layer_name)
            self.stage_channels.append(planes * EXPANSION)
        #: Channels of the deepest returned feature map (2048 by default).
        self.feat_dim = self.stage_channels[max(self.out_indices)]
        self.pool = nn.AdaptiveAvgPool3d(1) if with_pool else None
        self._freeze_stages()

    def _make_layer(self, planes: int, num_blocks: int,
                    stride: int) -> nn.Sequential:
        """Builds one stage; its first block carries a type-B projection.

        Args:
            planes (int): Base width of the stage's blocks.
            num_blocks (int): Number of blocks.
            stride (int): Stride of the first block.

        Returns:
            nn.Sequential: The stage.
        """
        out_planes = planes * EXPANSION
        downsample = None
        if stride != 1 or self.inplanes != out_planes:
            downsample = nn.Sequential(
                nn.Conv3d(
                    self.inplanes,
                    out_planes,
                    kernel_size=1,
                    stride=stride,
                    bias=False), nn.BatchNorm3d(out_planes))
        blocks = [
            ResNeXtBottleneck3D(self.inplanes, planes, self.cardinality,
                                stride, downsample)
        ]
        self.inplanes = out_planes
        for _ in range(1, num_blocks):
            blocks.append(
                ResNeXtBottleneck3D(self.inplanes, planes, self.cardinality))
        return nn.Sequential(*blocks)

    def init_weights(self) -> None:
        """Loads ``pretrained``, applies ``init_cfg`` or initializes anew.

        Without either, convolutions get Kaiming normal weights
        (``fan_out``, as Hara et al.) and BN layers weight 1, bias 0.
        """
        if isinstance(self.pretrained, str):
            logger = MMLogger.get_current_instance()
            logger.info(f'ResNeXt3D: load model from {self.pretrained}')
            state_dict = read_backbone_weights(self.pretrained)
            self.load_state_dict(state_dict, strict=True)
            self._is_init = True
        elif self.init_cfg is None:
            for m in self.modules():
                if isinstance(m, nn.Conv3d):
                    kaiming_init(m, mode='fan_out', nonlinearity='relu')
                elif isinstance(m, _BatchNorm):
                    constant_init(m, 1, bias=0)
            self._is_init = True
        else:
            super().init_weights()

    def forward(self, x: Tensor) -> Union[Tensor, Tuple[Tensor, ...]]:
        """Defines the computation performed at every call.

        Args:
            x (Tensor): Input clips of shape (N, C, T, H, W).

        Returns:
            Tensor or tuple[Tensor]: The feature map of the single stage in
            ``out_indices`` (e.g. (N, 2048, T/16, H/32, W/32) for stage 3,
            rounded up), or a tuple of maps when several stages are asked
            for. With ``with_pool`` every map is (N, C, 1, 1, 1).
        """
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        outs = []
        last = max(self.out_indices)
        for i, layer_name in enumerate(self.res_layers[:last + 1]):
            x = getattr(self, layer_name)(x)
            if i in self.out_indices:
                outs.append(self.pool(x) if self.pool is not None else x)
        if len(outs) == 1:
            return outs[0]
        return tuple(outs)

    def _freeze_stages(self) -> None:
        """Puts the first ``frozen_stages`` stages in eval mode, no grads."""
        if self.frozen_stages >= 0:
            for m in (self.conv1, self.bn1):
                m.eval()
                for param in m.parameters():
                    param.requires_grad = False
        for i in range(1, self.frozen_stages + 1):
            m = getattr(self, f'layer{i}')
            m.eval()
            for param in m.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> 'ResNeXt3D':
        """Sets the training mode, keeping frozen stages and BN (with
        ``norm_eval``) in eval mode.

        Args:
            mode (bool): Whether to set training mode. Defaults to True.

        Returns:
            ResNeXt3D: The module itself.
        """
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self
