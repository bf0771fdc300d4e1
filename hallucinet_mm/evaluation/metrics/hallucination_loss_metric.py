# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Test-set mean hallucination loss (paper Tables 7-8)."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmaction.registry import METRICS


@METRICS.register_module()
class HallucinationLossMetric(BaseMetric):
    """Mean of the hallucination loss over a test set.

    Reads the per-sample ``hallu_loss`` that ``HallucinationHead``'s
    ``predict_by_feat`` stores (through ``HalluciNetRecognizer.predict``)
    when the test pipeline carries teacher inputs, and averages it over all
    samples of all ranks (mmengine gathers the results). The loss is the
    head's ``loss_hallu`` (by default ``MSE(sigmoid(phi_s),
    sigmoid(phi_t))``), unweighted (no lambda); the paper reports it x1e-3,
    given here as ``hallu_loss_x1e3``.

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to None.
    """
    default_prefix = 'hallu'

    def __init__(self,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)

    def process(self, data_batch, data_samples: Sequence[Dict]) -> None:
        """Collects the per-sample losses of one batch."""
        for sample in data_samples:
            if 'hallu_loss' not in sample:
                raise KeyError(
                    'HallucinationLossMetric needs hallu_loss on the data '
                    'samples: the test pipeline must carry teacher clips '
                    '(sampler with_teacher=True) or teacher features')
            self.results.append(float(sample['hallu_loss']))

    def compute_metrics(self, results: List[float]) -> Dict[str, float]:
        """Mean loss over all samples."""
        mean = float(np.mean(results))
        return dict(loss=mean, loss_x1e3=mean * 1e3)
