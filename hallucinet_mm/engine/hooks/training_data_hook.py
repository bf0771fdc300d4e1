# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Checks the training data as a whole before the first step."""
import copy
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Tuple

from mmengine.dataset import InfiniteSampler

from mmaction.registry import DATASETS, HOOKS
from ...utils.dataset_wrappers import leaf_datasets
from ...utils.video_fingerprints import (sample_videos, video_sha256,
                                         video_size)
from .split_check_hook import SplitCheckHook

#: The config key that lets evaluation videos into training.
ALLOW_KEY = 'allow_eval_videos_in_train'
EVAL_SPLITS = ('val', 'test')


def _without_pipelines(cfg):
    """A dataset config whose (nested) pipelines are empty: only the lists
    are read."""
    if isinstance(cfg, dict):
        out = {k: _without_pipelines(v) for k, v in cfg.items()}
        if 'pipeline' in out:
            out['pipeline'] = []
        if 'teacher_feature_store' in out:
            out['teacher_feature_store'] = None
        return out
    if isinstance(cfg, (list, tuple)):
        return [_without_pipelines(v) for v in cfg]
    return cfg


def _clip(info: Dict) -> Tuple:
    """The part of a video a sample is (MTL-AQA: its frames)."""
    return (info.get('start_frame'), info.get('end_frame'))


@HOOKS.register_module()
class CheckTrainingDataHook(SplitCheckHook):
    """Refuses training data that would train wrongly, before the first step.

    - **No evaluation video in training.** Every training sample (labeled
      or unlabeled, through dataset wrappers) is compared with the samples
      of ``val_dataloader`` and ``test_dataloader``: by path, and by
      content (the size, then the sha256 of the files whose sizes match,
      so a copy under another name is found too). A match is refused,
      naming both lists and lines. On by default; the config key
      ``allow_eval_videos_in_train = True`` turns it off by name.
    - **At least one full batch per epoch.** With ``drop_last=True`` (the
      shipped configs: a last batch of one sample crashes BatchNorm), a
      list shorter than the batch gives epochs of no iteration, which
      MMEngine runs without a word.
    - **A teacher-feature store is its dataset's.** Every store a
      ``LoadTeacherFeatures`` of the split reads must have been extracted
      from the dataset's list, prefix and videos (see
      :meth:`~hallucinet_mm.store.reader.TeacherFeatureStore.check_videos`;
      also before validation and testing).

    Args:
        full_video_hash (bool): Compare the full sha256 of every video with
            the store's, not only its size and first 64 KiB. Defaults to
            False.
    """

    priority = 'VERY_HIGH'

    def __init__(self, full_video_hash: bool = False) -> None:
        self.full_video_hash = full_video_hash
        self._stores_checked = set()

    def check_split(self, runner, split: str) -> None:
        """Checks the split's stores against its videos (once)."""
        if split in self._stores_checked:
            return
        self._stores_checked.add(split)
        loader = getattr(runner, f'{split}_dataloader')
        for ds, _ in leaf_datasets(loader.dataset):
            for t in getattr(getattr(ds, 'pipeline', None), 'transforms',
                             []):
                if getattr(t, 'store_dir', None) and hasattr(t, 'store'):
                    num = t.store.check_videos(ds, self.full_video_hash)
                    runner.logger.info(
                        f'teacher-feature store {t.store_dir}: its {num} '
                        f'videos are those of {ds.ann_file}')

    def before_train(self, runner) -> None:
        """Runs the checks on the training data."""
        super().before_train(runner)  # its stores
        loader = runner.train_dataloader
        # An infinite sampler fills every batch whatever the data's size.
        infinite = isinstance(getattr(loader, 'sampler', None),
                              InfiniteSampler)
        if len(loader) == 0 and not infinite:
            raise ValueError(
                f'the training data ({self._lists(loader.dataset)}) hold '
                f'{len(loader.dataset)} samples, fewer than one batch of '
                f'{loader.batch_size} with drop_last: every epoch would '
                'run no iteration; lower train_dataloader.batch_size')
        if runner.cfg.get(ALLOW_KEY, False):
            runner.logger.warning(
                f'{ALLOW_KEY}=True: evaluation videos are not kept out of '
                'training')
            return
        eval_sets = []
        for split in EVAL_SPLITS:
            loader_cfg = runner.cfg.get(f'{split}_dataloader')
            if loader_cfg and loader_cfg.get('dataset'):
                ds_cfg = _without_pipelines(
                    copy.deepcopy(loader_cfg['dataset']))
                try:
                    eval_sets.append((split, DATASETS.build(ds_cfg)))
                except FileNotFoundError as err:  # e.g. not made yet
                    runner.logger.warning(
                        f'training is not checked against the {split} '
                        f'list: {err}')
        checked = check_no_overlap(runner.train_dataloader.dataset,
                                   eval_sets)
        runner.logger.info(f'{checked} training samples: none is a '
                           'validation or test video (by path and content)')

    @staticmethod
    def _lists(dataset) -> str:
        return ', '.join(
            str(getattr(d, 'ann_file', '?')) for d, _ in leaf_datasets(dataset))


def check_no_overlap(train_set, eval_sets: List[Tuple[str, object]]) -> int:
    """Refuses a training sample that is also an evaluation sample.

    Args:
        train_set: The training dataset (wrappers allowed).
        eval_sets (list[tuple[str, Dataset]]): ``(split, dataset)``.

    Returns:
        int: The number of training samples checked.

    Raises:
        ValueError: Naming the training and the evaluation list and line,
            and whether path or content matched, and the key to turn the
            check off.
    """
    sizes: Dict[str, int] = {}  # MTL-AQA: many samples share one video

    def size(path: str) -> int:
        if path not in sizes:
            sizes[path] = video_size(path)
        return sizes[path]

    by_path, by_size = {}, defaultdict(list)
    for split, ds in eval_sets:
        for video, where, info in sample_videos(ds):
            key = (osp.realpath(video), _clip(info))
            by_path.setdefault(key, (split, where))
            if osp.exists(video):
                by_size[(size(video), _clip(info))].append(
                    (video, split, where))
    hashes: Dict[str, str] = {}

    def sha(path: str) -> str:
        if path not in hashes:
            hashes[path] = video_sha256(path)
        return hashes[path]

    count = 0
    for video, where, info in sample_videos(train_set):
        count += 1
        found = by_path.get((osp.realpath(video), _clip(info)))
        how = 'the same path'
        if found is None and osp.exists(video):
            for other, split, other_where in by_size.get(
                    (size(video), _clip(info)), []):
                if sha(other) == sha(video):
                    found, how = (split, other_where), \
                        f'the same content as {other} (sha256 {sha(video)})'
                    break
        if found is not None:
            raise ValueError(
                f'training sample {video} ({where}) is also a {found[0]} '
                f'sample ({found[1]}): {how}. Evaluation videos must not '
                'enter training (a labeled or unlabeled list); remove it, or '
                f'set {ALLOW_KEY} = True in the config to allow it by name')
    return count
