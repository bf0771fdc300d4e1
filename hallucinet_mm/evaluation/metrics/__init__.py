# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .hallucination_loss_metric import HallucinationLossMetric  # noqa: F401
from .dive_accuracy_metric import DiveAccuracyMetric  # noqa: F401
from .spearman_metric import SpearmanMetric  # noqa: F401
