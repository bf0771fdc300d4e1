# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Videos without labels, for hallucination-only training."""
from typing import Sequence

from mmaction.registry import DATASETS
from ..utils.unlabeled import UNLABELED
from .checked_datasets import AnnotationError, CheckedVideoDataset


@DATASETS.register_module()
class UnlabeledVideoDataset(CheckedVideoDataset):
    """Videos that contribute the hallucination loss only.

    The hallucination loss needs no label, so videos without one can train
    the student to predict the teacher's features. The annotation file is
    declared unlabeled by this type: one video path per line (relative to
    ``data_prefix['video']``), nothing else. A line with more fields is an
    error, so a labeled list given here by mistake is caught rather than
    having its labels dropped. Every sample gets ``label=UNLABELED``.

    Mix it with a labeled list through mmengine's ``ConcatDataset``::

        train_dataloader = dict(dataset=dict(
            type='ConcatDataset',
            datasets=[
                dict(type='CheckedVideoDataset', ann_file='labeled.txt', ...),
                dict(type='UnlabeledVideoDataset', ann_file='unlabeled.txt',
                     ...),
            ]))

    ``HalluciNetRecognizer`` then averages the main-task loss over the
    labeled samples of each batch only, and ``LabeledOnlyMetric`` keeps
    unlabeled samples away from a metric.

    Args:
        **kwargs: See :class:`CheckedVideoDataset` (``check_files`` ...).
    """

    def parse_labels(self, fields: Sequence[str], lineno: int,
                     line: str) -> int:
        """:data:`UNLABELED`; a line that carries more is an error."""
        if fields:
            raise AnnotationError(
                f'{self.ann_file}:{lineno}: an unlabeled list holds one '
                f'video path per line, got {line!r} (a labeled list '
                'belongs in CheckedVideoDataset)')
        return UNLABELED
