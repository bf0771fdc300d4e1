# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .dive_multi_head import DiveMultiHead
from .hallucination_head import HallucinationHead

__all__ = ['DiveMultiHead', 'HallucinationHead']
