# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Videos without labels, for hallucination-only training."""
import os.path as osp
from typing import List

from mmengine.fileio import exists, list_from_file

from mmaction.datasets import VideoDataset
from mmaction.registry import DATASETS
from ..utils.unlabeled import UNLABELED
from .checked_datasets import AnnotationError


@DATASETS.register_module()
class UnlabeledVideoDataset(VideoDataset):
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
        check_files (bool): Check that every video exists when the list is
            loaded. Defaults to True.
        **kwargs: See :class:`mmaction.datasets.VideoDataset`.
    """

    def __init__(self, *args, check_files: bool = True, **kwargs) -> None:
        self.check_files = check_files
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Loads and checks the list of video paths."""
        exists(self.ann_file)
        data_list = []
        for lineno, line in enumerate(list_from_file(self.ann_file), 1):
            fields = line.strip().split(self.delimiter)
            if not fields or not fields[0]:
                continue
            if len(fields) > 1:
                raise AnnotationError(
                    f'{self.ann_file}:{lineno}: an unlabeled list holds one '
                    f'video path per line, got {line!r} (a labeled list '
                    'belongs in CheckedVideoDataset)')
            filename = fields[0]
            if self.data_prefix.get('video') is not None:
                filename = osp.join(self.data_prefix['video'], filename)
            data_list.append(dict(filename=filename, label=UNLABELED))
        if not data_list:
            raise AnnotationError(f'{self.ann_file}: no video paths')
        if self.check_files:
            missing = [d['filename'] for d in data_list
                       if not osp.isfile(d['filename'])]
            if missing:
                raise FileNotFoundError(
                    f'{self.ann_file}: {len(missing)} videos do not exist, '
                    f'e.g. {missing[0]}')
        return data_list
