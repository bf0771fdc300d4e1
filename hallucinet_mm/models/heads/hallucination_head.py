# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The hallucination branch: student features -> the teacher's features."""
from typing import Dict, Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from mmaction.utils import ConfigType, SampleList
from ..losses import build_feature_loss


@MODELS.register_module()
class HallucinationHead(BaseModule):
    """Predicts ("hallucinates") a 3D teacher's features from 2D features.

    ``num_layers`` blocks of Linear + activation map the student's pooled
    features (``in_channels``) to the teacher's dimension
    (``out_channels``); the original HalluciNet code uses one block of
    Linear(2048, 2048) + ReLU. The loss is built from ``loss_hallu``, by
    default ``50 * MSE(sigmoid(phi_s), sigmoid(phi_t))`` (paper eq. 2,
    lambda = 50), and logged as ``loss_hallu``.

    As MMAction2's ``BaseHead``: :meth:`loss` runs :meth:`forward` then
    :meth:`loss_by_feat`, :meth:`predict` runs :meth:`forward` then
    :meth:`predict_by_feat`. The recognizer, which needs ``phi_s`` for the
    classification head too, calls the ``*_by_feat`` methods directly.

    Args:
        in_channels (int): Student feature dimension (twice the backbone's
            for the two-frame variant).
        out_channels (int): The teacher's feature dimension D.
        num_layers (int): Linear layers. Defaults to 1.
        hidden_channels (int, optional): Width of the hidden layers.
            Defaults to ``out_channels``.
        loss_hallu (dict): Config of the loss, a registered
            :class:`BaseFeatureLoss` (``HallucinationLoss``,
            ``HalluciNetMSELoss``, ``HalluciNetCosineLoss``,
            ``HalluciNetSmoothL1Loss`` ...); its ``loss_weight`` is lambda,
            and 0 turns the hallucination task off. Defaults to
            ``dict(type='HallucinationLoss', loss_weight=50.0)``.
        final_act (bool): Apply the activation after the last layer as the
            original code does (its teacher features are post-ReLU).
            Defaults to True.
        act_cfg (dict): Activation. Defaults to ``dict(type='ReLU')``.
        init_cfg (dict, optional): Initialisation. Defaults to a normal
            init of the linear layers with std 0.01.

    Raises:
        TypeError: For a loss that is not a :class:`BaseFeatureLoss`.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 num_layers: int = 1,
                 hidden_channels: Optional[int] = None,
                 loss_hallu: ConfigType = dict(
                     type='HallucinationLoss', loss_weight=50.0),
                 final_act: bool = True,
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Linear', std=0.01)) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_layers < 1:
            raise ValueError(f'num_layers must be >= 1, got {num_layers}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.loss_hallu = build_feature_loss(loss_hallu, 'loss_hallu')
        hidden = hidden_channels or out_channels
        widths = [in_channels] + [hidden] * (num_layers - 1) + [out_channels]
        layers = []
        for i in range(num_layers):
            layers.append(nn.Linear(widths[i], widths[i + 1]))
            if i < num_layers - 1 or final_act:
                layers.append(MODELS.build(act_cfg))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Hallucinates the teacher's features.

        Args:
            x (Tensor): Student features, (N, in_channels) or
                (N, in_channels, 1, 1).

        Returns:
            Tensor: phi_s, (N, out_channels).
        """
        x = x.flatten(1)
        if x.shape[1] != self.in_channels:
            raise ValueError(f'{type(self).__name__} expects '
                             f'{self.in_channels}-d student features, got '
                             f'{x.shape[1]}')
        return self.layers(x)

    def loss(self, feats: torch.Tensor,
             phi_t: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Hallucinates from student features and computes the loss.

        Args:
            feats (Tensor): Student features, see :meth:`forward`.
            phi_t (Tensor): Teacher features, (N, D).

        Returns:
            dict: ``loss_hallu``.
        """
        return self.loss_by_feat(self(feats), phi_t)

    def loss_by_feat(self, phi_s: torch.Tensor,
                     phi_t: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The weighted hallucination loss of hallucinated features.

        Args:
            phi_s (Tensor): Hallucinated features, (N, D).
            phi_t (Tensor): Teacher features, (N, D).

        Returns:
            dict: ``loss_hallu``, a scalar.
        """
        return dict(loss_hallu=self.loss_hallu(phi_s, phi_t))

    def predict(self, feats: torch.Tensor, phi_t: torch.Tensor,
                data_samples: SampleList) -> SampleList:
        """Hallucinates from student features; stores each sample's loss.

        Args:
            feats (Tensor): Student features, see :meth:`forward`.
            phi_t (Tensor): Teacher features, (N * steps, D).
            data_samples (list[ActionDataSample]): The N samples.

        Returns:
            list[ActionDataSample]: With ``hallu_loss``, see
            :meth:`predict_by_feat`.
        """
        return self.predict_by_feat(self(feats), phi_t, data_samples)

    def predict_by_feat(self, phi_s: torch.Tensor, phi_t: torch.Tensor,
                        data_samples: SampleList) -> SampleList:
        """Stores the unweighted per-sample loss as ``hallu_loss``.

        The rows of ``phi_s``/``phi_t`` are the samples' steps, sample-major;
        a sample's ``hallu_loss`` (0-d tensor, no lambda) is the mean of
        the loss over its steps, read by ``HallucinationLossMetric``.

        Args:
            phi_s (Tensor): Hallucinated features, (N * steps, D).
            phi_t (Tensor): Teacher features, (N * steps, D).
            data_samples (list[ActionDataSample]): The N samples.

        Returns:
            list[ActionDataSample]: ``data_samples`` with ``hallu_loss``.

        Raises:
            ValueError: If the rows of ``phi_s`` and ``phi_t`` differ in
                number (a multi-view test pipeline) or do not split evenly
                over the samples.
        """
        if phi_s.shape[0] != phi_t.shape[0]:
            raise ValueError(
                f'{phi_s.shape[0]} student steps but {phi_t.shape[0]}'
                ' teacher clips: the hallucination loss at test time '
                'needs one view (crop) per step; remove multi-crop '
                'transforms from a test pipeline with teacher inputs')
        num_samples = len(data_samples)
        if num_samples == 0 or phi_s.shape[0] % num_samples:
            raise ValueError(f'{phi_s.shape[0]} steps cannot be split over '
                             f'{num_samples} data samples')
        per_step = self.loss_hallu.per_sample(phi_s, phi_t)
        per_sample = per_step.reshape(num_samples, -1).mean(1)
        for sample, value in zip(data_samples, per_sample):
            sample.set_field(value.detach(), 'hallu_loss')
        return data_samples

