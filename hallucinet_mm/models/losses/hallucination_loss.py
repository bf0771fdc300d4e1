# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The paper's hallucination loss, MSE between sigmoid features."""
import torch
import torch.nn.functional as F

from mmaction.registry import MODELS
from .base_feature_loss import BaseFeatureLoss


@MODELS.register_module()
class HallucinationLoss(BaseFeatureLoss):
    """``loss_weight * MSE(sigmoid(phi_s), sigmoid(phi_t))`` (paper eq. 2).

    The sigmoid squashes both the hallucinated features ``phi_s`` and the
    teacher's ``phi_t`` into (0, 1) before the squared error, so large
    teacher activations cannot dominate; the paper's lambda is 50.

    Args:
        loss_weight (float): lambda. Defaults to 50.0.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'`` (the mean over
            the feature dimension of each sample). Defaults to ``'mean'``.
    """

    def __init__(self,
                 loss_weight: float = 50.0,
                 reduction: str = 'mean') -> None:
        super().__init__(loss_weight=loss_weight, reduction=reduction)

    def elementwise(self, pred: torch.Tensor,
                    target: torch.Tensor) -> torch.Tensor:
        """Squared error of the sigmoids, per element."""
        return F.mse_loss(
            torch.sigmoid(pred), torch.sigmoid(target), reduction='none')
