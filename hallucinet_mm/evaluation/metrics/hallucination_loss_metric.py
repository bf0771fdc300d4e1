# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Test-set mean hallucination loss (paper Tables 7-8)."""
from typing import Dict, List

import numpy as np

from mmaction.registry import METRICS
from .hallu_sample_metric import HalluSampleMetric


@METRICS.register_module()
class HallucinationLossMetric(HalluSampleMetric):
    """Mean of the hallucination loss over a test set.

    Reads the per-sample ``hallu_loss`` that ``HallucinationHead``'s
    ``predict_by_feat`` stores (through ``HalluciNetRecognizer.predict``)
    when the test pipeline carries teacher inputs, and averages it over all
    samples of all ranks (mmengine gathers the results). The loss is the
    head's ``loss_hallu`` (by default ``MSE(sigmoid(phi_s),
    sigmoid(phi_t))``), unweighted (no lambda); the paper reports it x1e-3,
    given here as ``hallu_loss_x1e3``.

    Args: those of :class:`HalluSampleMetric`.
    """
    sample_keys = ('hallu_loss', )

    def collect(self, sample: Dict) -> None:
        """Collects the sample's loss."""
        self.results.append(float(sample['hallu_loss']))

    def compute_metrics(self, results: List[float]) -> Dict[str, float]:
        """Mean loss over all samples."""
        mean = float(np.mean(results))
        return dict(loss=mean, loss_x1e3=mean * 1e3)
