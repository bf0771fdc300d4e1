# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""How much of the teacher's features the hallucination explains."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmaction.registry import METRICS


@METRICS.register_module()
class HallucinationR2Metric(BaseMetric):
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
        """Collects the per-sample sigmoid features of one batch."""
        for sample in data_samples:
            if 'hallu_pred' not in sample or 'hallu_target' not in sample:
                raise KeyError(
                    'HallucinationR2Metric needs hallu_pred and hallu_target '
                    'on the data samples: the test pipeline must carry '
                    'teacher clips (sampler with_teacher=True) or teacher '
                    'features')
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
