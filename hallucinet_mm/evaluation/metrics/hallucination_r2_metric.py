# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""How much of the teacher's features the hallucination explains."""
from typing import Dict, List

import numpy as np

from mmaction.registry import METRICS
from .hallu_sample_metric import HalluSampleMetric


@METRICS.register_module()
class HallucinationR2Metric(HalluSampleMetric):
    """R^2 of the hallucinated features against the mean-feature baseline.

    In the space the hallucination loss works in, ``p = sigmoid(phi_s)`` and
    ``q = sigmoid(phi_t)``::

        R^2 = 1 - sum ||p_i - q_i||^2 / sum ||q_i - mean_j q_j||^2

    summed over the samples i of the evaluated set and the feature
    dimensions. 0 is what always predicting the set's mean teacher feature
    scores, 1 is a perfect hallucination, and a negative value is worse
    than the mean. A frame that carries no cue of the motion cannot beat
    the mean, so R^2 near 0 says the student could not read the motion
    from one frame.

    Reads ``hallu_pred`` and ``hallu_target`` (the sigmoids, per step),
    which ``HalluciNetRecognizer.predict`` stores when the test pipeline
    carries teacher inputs. With a single sample the baseline is undefined
    and R^2 is NaN.

    Args: those of :class:`HalluSampleMetric`.
    """
    sample_keys = ('hallu_pred', 'hallu_target')

    def collect(self, sample: Dict) -> None:
        """Collects the sample's sigmoid features."""
        self.results.append(
            (np.asarray(sample['hallu_pred'].cpu(), np.float64),
             np.asarray(sample['hallu_target'].cpu(), np.float64)))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        """R^2 over all collected steps and dimensions."""
        pred = np.concatenate([p.reshape(-1, p.shape[-1]) for p, _ in results])
        target = np.concatenate(
            [t.reshape(-1, t.shape[-1]) for _, t in results])
        sse = float(((pred - target)**2).sum())
        sst = float(((target - target.mean(0))**2).sum())
        r2 = 1.0 - sse / sst if sst > 0 else float('nan')
        return dict(r2=r2)
