# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Registered alternatives to the hallucination loss, also score losses."""
import torch
import torch.nn.functional as F

from mmaction.registry import MODELS
from .base_feature_loss import BaseFeatureLoss


@MODELS.register_module()
class HalluciNetMSELoss(BaseFeatureLoss):
    """``loss_weight * MSE(pred, target)`` on the raw values.

    Takes the arguments of :class:`BaseFeatureLoss`.
    """
    _elementwise = staticmethod(F.mse_loss)


@MODELS.register_module()
class HalluciNetL1Loss(BaseFeatureLoss):
    """``loss_weight * mean |pred - target|``.

    Takes the arguments of :class:`BaseFeatureLoss`.
    """
    _elementwise = staticmethod(F.l1_loss)


@MODELS.register_module()
class HalluciNetSmoothL1Loss(BaseFeatureLoss):
    """``loss_weight * SmoothL1(pred, target)`` (Huber with slope 1).

    Per element: ``0.5 * d^2 / beta`` where ``|d| < beta``, else
    ``|d| - 0.5 * beta``, with ``d = pred - target``.

    Args:
        beta (float): Where the loss turns from quadratic to linear; must be
            > 0. Defaults to 1.0.
        loss_weight (float): Factor of the loss. Defaults to 1.0.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
            Defaults to ``'mean'``.
    """

    def __init__(self,
                 beta: float = 1.0,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean') -> None:
        super().__init__(loss_weight=loss_weight, reduction=reduction)
        if not beta > 0:
            raise ValueError(
                f'HalluciNetSmoothL1Loss: beta must be > 0, got {beta!r}')
        self.beta = float(beta)

    def elementwise(self, pred: torch.Tensor,
                    target: torch.Tensor) -> torch.Tensor:
        """Smooth L1 per element."""
        return F.smooth_l1_loss(pred, target, reduction='none', beta=self.beta)


@MODELS.register_module()
class HalluciNetCosineLoss(BaseFeatureLoss):
    """``loss_weight * (1 - cos(pred, target))`` per sample.

    Only the direction of each sample's feature vector counts, not its
    scale. The inputs must have a feature dimension: ``(N, D, ...)``,
    flattened to ``(N, D')``.

    Args:
        eps (float): Lower bound of the vector norms. Defaults to 1e-8.
        loss_weight (float): Factor of the loss. Defaults to 1.0.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
            Defaults to ``'mean'``.
    """

    def __init__(self,
                 eps: float = 1e-8,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean') -> None:
        super().__init__(loss_weight=loss_weight, reduction=reduction)
        self.eps = float(eps)

    def per_sample(self, pred: torch.Tensor,
                   target: torch.Tensor) -> torch.Tensor:
        """``1 - cos`` of each sample's flattened features, ``(N, )``."""
        pred, target = self._check_inputs(pred, target)
        if pred.dim() < 2:
            raise ValueError(
                'HalluciNetCosineLoss needs (N, D) features, got shape '
                f'{tuple(pred.shape)}')
        return 1 - F.cosine_similarity(
            pred.flatten(1), target.flatten(1), dim=1, eps=self.eps)
