# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The hallucination branch: student features -> the teacher's features."""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmaction.registry import MODELS


def hallucination_loss(phi_s: torch.Tensor,
                       phi_t: torch.Tensor,
                       reduction: str = 'mean') -> torch.Tensor:
    """``MSE(sigmoid(phi_s), sigmoid(phi_t))``, the paper's L_hallu.

    Args:
        phi_s (Tensor): Hallucinated features, (N, D).
        phi_t (Tensor): Teacher features, (N, D).
        reduction (str): ``'mean'`` over everything, or ``'none'`` for the
            per-sample mean over D, shape (N, ). Defaults to ``'mean'``.

    Returns:
        Tensor: The loss.
    """
    if phi_s.shape != phi_t.shape:
        raise ValueError(f'hallucinated features {tuple(phi_s.shape)} and '
                         f'teacher features {tuple(phi_t.shape)} differ')
    per_elem = F.mse_loss(
        torch.sigmoid(phi_s.float()),
        torch.sigmoid(phi_t.float()),
        reduction='none')
    if reduction == 'mean':
        return per_elem.mean()
    if reduction == 'none':
        return per_elem.flatten(1).mean(1)
    raise ValueError(f"reduction must be 'mean' or 'none', got {reduction}")


@MODELS.register_module()
class HallucinationHead(BaseModule):
    """Predicts ("hallucinates") a 3D teacher's features from 2D features.

    ``num_layers`` blocks of Linear + activation map the student's pooled
    features (``in_channels``) to the teacher's dimension
    (``out_channels``); the original HalluciNet code uses one block of
    Linear(2048, 2048) + ReLU. The loss is
    ``loss_weight * MSE(sigmoid(phi_s), sigmoid(phi_t))`` (paper eq. 2,
    lambda = 50), logged as ``loss_hallu``.

    Args:
        in_channels (int): Student feature dimension (twice the backbone's
            for the two-frame variant).
        out_channels (int): The teacher's feature dimension D.
        num_layers (int): Linear layers. Defaults to 1.
        hidden_channels (int, optional): Width of the hidden layers.
            Defaults to ``out_channels``.
        loss_weight (float): lambda. Defaults to 50.
        final_act (bool): Apply the activation after the last layer as the
            original code does (its teacher features are post-ReLU).
            Defaults to True.
        act_cfg (dict): Activation. Defaults to ``dict(type='ReLU')``.
        init_cfg (dict, optional): Initialisation. Defaults to a normal
            init of the linear layers with std 0.01.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 num_layers: int = 1,
                 hidden_channels: Optional[int] = None,
                 loss_weight: float = 50.0,
                 final_act: bool = True,
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Linear', std=0.01)) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_layers < 1:
            raise ValueError(f'num_layers must be >= 1, got {num_layers}')
        if loss_weight < 0:
            raise ValueError(f'loss_weight must be >= 0, got {loss_weight}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.loss_weight = loss_weight
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

    def loss(self, phi_s: torch.Tensor,
             phi_t: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The weighted hallucination loss.

        Args:
            phi_s (Tensor): Hallucinated features, (N, D).
            phi_t (Tensor): Teacher features, (N, D).

        Returns:
            dict: ``loss_hallu``.
        """
        return dict(
            loss_hallu=self.loss_weight * hallucination_loss(phi_s, phi_t))
