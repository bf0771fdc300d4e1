# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Accuracy of the predicted dive fields (MTL-AQA dive classification)."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmaction.registry import METRICS
from ...datasets.mtl_aqa import MTL_AQA_DIVE_FIELDS


@METRICS.register_module()
class DiveAccuracyMetric(BaseMetric):
    """Per-field accuracy of dive classification, in percent.

    Compares the predicted classes ``pred_dive_labels`` (one per entry of
    ``fields``, as set by ``DiveMultiHead``) with the ground truth
    ``dive_labels`` (one per entry of ``label_order``, as set by
    ``MTLAQADataset``). Reports, with the default prefix,
    ``dive/<field>_acc`` for each field, ``dive/mean_acc`` (the mean over
    fields) and ``dive/all_acc`` (the percentage of dives with every field
    right).

    Args:
        fields (Sequence[str]): The field of each entry of
            ``pred_dive_labels``; must match the head's ``fields`` order.
            Defaults to ``('position', 'armstand', 'rotation_type', 'ss_no',
            'tw_no')``.
        label_order (Sequence[str]): The field of each entry of
            ``dive_labels``. Defaults to the same MTL-AQA order.
        collect_device (str): Device for gathering results across ranks,
            ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
            Defaults to ``'dive'``.
        collect_dir (str, optional): Directory for gathering results with
            ``collect_device='cpu'``. Defaults to None.
    """
    default_prefix: Optional[str] = 'dive'

    def __init__(self,
                 fields: Sequence[str] = MTL_AQA_DIVE_FIELDS,
                 label_order: Sequence[str] = MTL_AQA_DIVE_FIELDS,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = 'dive',
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        self.fields = tuple(fields)
        self.label_order = tuple(label_order)
        if not self.fields:
            raise ValueError('DiveAccuracyMetric needs at least one field')
        if len(set(self.fields)) != len(self.fields):
            raise ValueError(f'duplicate names in fields {self.fields}')
        missing = [f for f in self.fields if f not in self.label_order]
        if missing:
            raise ValueError(f'fields {missing} are not in label_order '
                             f'{self.label_order}')
        self._gt_index = [self.label_order.index(f) for f in self.fields]

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Stores the predicted and true classes of each sample.

        Args:
            data_batch (Any): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): The model outputs as dicts.
        """
        for sample in data_samples:
            pred = _int_vector(sample, 'pred_dive_labels')
            gt = _int_vector(sample, 'dive_labels')
            if pred.size != len(self.fields):
                raise ValueError(
                    f'`pred_dive_labels` has {pred.size} entries but the '
                    f'metric expects fields {self.fields}')
            if gt.size != len(self.label_order):
                raise ValueError(
                    f'`dive_labels` has {gt.size} entries but label_order '
                    f'is {self.label_order}')
            self.results.append(dict(pred=pred, gt=gt[self._gt_index]))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Computes the accuracies.

        Args:
            results (list[dict]): The gathered results of all samples.

        Returns:
            dict[str, float]: ``<field>_acc``, ``mean_acc`` and ``all_acc``
            in percent.
        """
        if not results:
            raise ValueError('DiveAccuracyMetric got no results')
        preds = np.stack([r['pred'] for r in results])
        gts = np.stack([r['gt'] for r in results])
        correct = preds == gts  # (num_samples, num_fields)
        metrics = {
            f'{name}_acc': 100.0 * float(correct[:, i].mean())
            for i, name in enumerate(self.fields)
        }
        metrics['mean_acc'] = 100.0 * float(correct.mean(axis=0).mean())
        metrics['all_acc'] = 100.0 * float(correct.all(axis=1).mean())
        return metrics


def _int_vector(sample: dict, key: str) -> np.ndarray:
    """Reads the 1-D integer array stored under ``key`` of a data sample."""
    if key not in sample:
        raise KeyError(f'data sample has no {key!r} (has: {sorted(sample)})')
    value = sample[key]
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value).astype(np.int64).reshape(-1)
