# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .dive_multi_head import DiveMultiHead  # noqa: F401
from .hallucination_head import HallucinationHead, hallucination_loss
