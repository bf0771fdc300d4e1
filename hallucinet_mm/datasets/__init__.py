# Copyright (c) hallucinet_mm contributors. All rights reserved.
from . import transforms  # noqa: F401
from .checked_datasets import (AnnotationError, CheckedRawframeDataset,
                               CheckedVideoDataset)
from .mtl_aqa import MTLAQADataset  # noqa: F401
