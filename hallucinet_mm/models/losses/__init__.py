# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .base_feature_loss import BaseFeatureLoss, build_feature_loss
from .hallucination_loss import HallucinationLoss
from .regression_losses import (HalluciNetCosineLoss, HalluciNetL1Loss,
                                HalluciNetMSELoss, HalluciNetSmoothL1Loss)

__all__ = [
    'BaseFeatureLoss', 'HallucinationLoss', 'HalluciNetMSELoss',
    'HalluciNetL1Loss', 'HalluciNetSmoothL1Loss', 'HalluciNetCosineLoss',
    'build_feature_loss'
]
