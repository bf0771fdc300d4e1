# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Spearman's rank correlation for action quality assessment."""
import logging
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from scipy import stats

from mmaction.registry import METRICS


def spearman_correlation(preds: Sequence[float],
                         targets: Sequence[float]) -> float:
    """Spearman's rank correlation, by ``scipy.stats.spearmanr``.

    Pearson's correlation of the average ranks (ties get their mean rank).
    The inputs are checked first, so that bad input is an error naming
    what is wrong rather than a NaN.

    Args:
        preds (Sequence[float]): Predicted scores.
        targets (Sequence[float]): Ground truth scores.

    Returns:
        float: The correlation in [-1, 1].

    Raises:
        ValueError: If the inputs differ in length, hold fewer than 2
            values, hold non-finite values, or either input is constant (the
            correlation is then undefined).
    """
    preds = np.asarray(preds, dtype=np.float64).reshape(-1)
    targets = np.asarray(targets, dtype=np.float64).reshape(-1)
    if preds.shape != targets.shape:
        raise ValueError(f'got {preds.size} predictions for '
                         f'{targets.size} ground truth scores')
    if preds.size < 2:
        raise ValueError('Spearman correlation needs at least 2 samples, '
                         f'got {preds.size}')
    for name, values in (('predictions', preds), ('ground truth', targets)):
        if not np.isfinite(values).all():
            raise ValueError(f'{name} hold non-finite values: '
                             f'{values[~np.isfinite(values)][:5].tolist()}')
        if np.all(values == values[0]):
            raise ValueError(f'all {values.size} {name} equal '
                             f'{values[0]}: Spearman correlation is '
                             'undefined for constant input')
    corr = stats.spearmanr(preds, targets)[0]
    return float(np.clip(corr, -1.0, 1.0))


@METRICS.register_module()
class SpearmanMetric(BaseMetric):
    """Spearman's rank correlation (x100) between predicted and true scores.

    The standard action quality assessment metric (e.g. on MTL-AQA),
    computed once over the whole test set, gathered from all ranks.
    Tied values get their average rank, as in ``scipy.stats.spearmanr``.

    A constant prediction (e.g. early in training) has no defined rank
    correlation; the metric then logs a warning and reports 0.0 rather than
    stopping training. Fewer than 2 samples, non-finite predictions and a
    constant ground truth raise ValueError.

    Args:
        pred_key (str): Data sample field holding the predicted score.
            Defaults to ``'pred_score'``.
        gt_key (str): Data sample field holding the true score.
            Defaults to ``'final_score'``.
        collect_device (str): Device for gathering results across ranks,
            ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
            Defaults to ``'aqa'``, giving ``aqa/spearman``.
        collect_dir (str, optional): Directory for gathering results with
            ``collect_device='cpu'``. Defaults to None.
    """
    default_prefix: Optional[str] = 'aqa'

    def __init__(self,
                 pred_key: str = 'pred_score',
                 gt_key: str = 'final_score',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = 'aqa',
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        self.pred_key = pred_key
        self.gt_key = gt_key

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Stores the predicted and true score of each sample.

        Args:
            data_batch (Any): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): The model outputs as dicts.
        """
        for sample in data_samples:
            self.results.append(
                dict(
                    pred=_scalar(sample, self.pred_key),
                    gt=_scalar(sample, self.gt_key)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Computes Spearman's rank correlation x100.

        Args:
            results (list[dict]): The gathered results of all samples.

        Returns:
            dict[str, float]: ``{'spearman': rho * 100}``.
        """
        preds = np.array([r['pred'] for r in results], dtype=np.float64)
        gts = np.array([r['gt'] for r in results], dtype=np.float64)
        if preds.size >= 2 and np.isfinite(preds).all() and np.all(
                preds == preds[0]) and not np.all(gts == gts[0]):
            print_log(
                f'SpearmanMetric: all {preds.size} predicted scores equal '
                f'{preds[0]}; the rank correlation is undefined and is '
                'reported as 0.0.',
                logger='current',
                level=logging.WARNING)
            return dict(spearman=0.0)
        return dict(spearman=100.0 * spearman_correlation(preds, gts))


def _scalar(sample: dict, key: str) -> float:
    """Reads the single number stored under ``key`` of a data sample."""
    if key not in sample:
        raise KeyError(f'data sample has no {key!r} (has: '
                       f'{sorted(sample)}); the model must set it')
    value = sample[key]
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    value = np.asarray(value, dtype=np.float64).reshape(-1)
    if value.size != 1:
        raise ValueError(
            f'{key!r} must be a single number, got shape {value.shape}')
    return float(value[0])
