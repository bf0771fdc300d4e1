# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .base_feature_loss import BaseFeatureLoss, build_feature_loss
from .hallucination_loss import HallucinationLoss
from .regression_losses import CosineLoss, L1Loss, MSELoss, SmoothL1Loss

__all__ = [
    'BaseFeatureLoss', 'HallucinationLoss', 'MSELoss', 'L1Loss',
    'SmoothL1Loss', 'CosineLoss', 'build_feature_loss'
]
