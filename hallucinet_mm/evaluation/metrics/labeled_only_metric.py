# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Keeps samples of an unlabeled list away from a metric."""
from typing import Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmaction.registry import METRICS
from ...utils.unlabeled import is_unlabeled


@METRICS.register_module()
class LabeledOnlyMetric(BaseMetric):
    """Runs ``metric`` on the labeled samples only.

    Samples from an ``UnlabeledVideoDataset`` carry ``gt_label=UNLABELED``
    (-1); a metric such as ``AccMetric`` would count them as wrong. This
    wrapper drops them before the wrapped metric sees a batch and logs how
    many it dropped.

    Args:
        metric (dict): The wrapped metric's config, e.g.
            ``dict(type='AccMetric')``.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Unused; the wrapped metric's prefix names
            the results. Defaults to None.
    """

    def __init__(self,
                 metric: Dict,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.metric = METRICS.build(metric)
        self.num_skipped = 0

    @property
    def dataset_meta(self) -> Optional[dict]:
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, meta: dict) -> None:
        self._dataset_meta = meta
        self.metric.dataset_meta = meta

    def process(self, data_batch, data_samples: Sequence[Dict]) -> None:
        """Passes the batch's labeled samples to the wrapped metric."""
        labeled = [s for s in data_samples if not is_unlabeled(s)]
        self.num_skipped += len(data_samples) - len(labeled)
        if labeled:
            self.metric.process(data_batch, labeled)

    def compute_metrics(self, results: List) -> Dict:
        """Not used: :meth:`evaluate` delegates to the wrapped metric."""
        return {}

    def evaluate(self, size: int) -> Dict:
        """The wrapped metric's results over the labeled samples.

        Args:
            size (int): The dataset length; results are gathered from all
                ranks and counted without the skipped samples.

        Returns:
            dict: The wrapped metric's results.
        """
        if self.num_skipped:
            MMLogger.get_current_instance().info(
                f'{type(self.metric).__name__}: skipped {self.num_skipped} '
                'unlabeled samples')
        size -= self.num_skipped
        self.num_skipped = 0
        return self.metric.evaluate(max(size, 0))
