# Copyright (c) hallucinet_mm contributors. All rights reserved.
from . import transforms  # noqa: F401
from .checked_datasets import (AnnotationError, CheckedRawframeDataset,
                               CheckedVideoDataset)
from .label_range import check_label_range  # noqa: F401
from .mtl_aqa import MTLAQADataset  # noqa: F401
from .unlabeled_video_dataset import UnlabeledVideoDataset  # noqa: F401
