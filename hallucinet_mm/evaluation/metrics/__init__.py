# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .hallucination_loss_metric import HallucinationLossMetric  # noqa: F401
from .dive_accuracy_metric import DiveAccuracyMetric  # noqa: F401
from .spearman_metric import SpearmanMetric  # noqa: F401
from .hallucination_r2_metric import HallucinationR2Metric  # noqa: F401
from .labeled_only_metric import LabeledOnlyMetric  # noqa: F401
