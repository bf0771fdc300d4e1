"""A labeled and an unlabeled list, each with its own store (train.0/1)."""
import copy

import numpy as np
import pytest
from mmengine.runner import Runner

from hallucinet_mm.store import (FeatureStoreMismatchError,
                                 check_dataset_stores,
                                 extract_teacher_features)
from hallucinet_mm.store.spec import dataset_cfg
from mmaction.registry import DATASETS
from tests.store.helpers import store_cfg


def _semi_cfg(videos, ckpt, tmp_path):
    """The store config with train = labeled val list + unlabeled list."""
    cfg = store_cfg(videos, ckpt, str(tmp_path / 'labeled'))
    labeled = copy.deepcopy(cfg.train_dataloader.dataset)
    unlabeled_ann = tmp_path / 'unlabeled.txt'
    with open(videos['train_ann']) as f:
        paths = [line.split()[0] for line in f][:4]
    unlabeled_ann.write_text(''.join(p + '\n' for p in paths))
    unlabeled = copy.deepcopy(labeled)
    unlabeled.update(type='UnlabeledVideoDataset', ann_file=str(unlabeled_ann))
    for key in ('indices', 'num_classes'):
        unlabeled.pop(key, None)
    unlabeled['teacher_feature_store'] = str(tmp_path / 'unlabeled')
    cfg.train_dataloader.dataset = dict(
        type='ConcatDataset', datasets=[labeled, unlabeled])
    return cfg


def test_one_store_per_dataset_and_training(store_setup, tmp_path):
    videos, ckpt = store_setup['videos'], store_setup['ckpt']
    cfg = _semi_cfg(videos, ckpt, tmp_path)
    with pytest.raises(KeyError, match=r"concatenates 2 datasets.*'train\.0'"):
        dataset_cfg(cfg, 'train')
    for i, name in enumerate(('labeled', 'unlabeled')):
        manifest = extract_teacher_features(
            cfg, str(tmp_path / name), split=f'train.{i}', shard_size=2,
            num_workers=0, progress=False)
        assert manifest['split'] == f'train.{i}'
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert check_dataset_stores(cfg, 'train', dataset) == 2

    cfg.merge_from_dict({
        'train_dataloader.batch_size': 5,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_cfg.max_epochs': 1,
        'default_hooks.checkpoint': None,
        'default_hooks.logger.interval': 1,
    })
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    runner.train()  # 6 labeled + 4 unlabeled samples, batches of 5
    assert runner.iter == 2
    hallu = runner.message_hub.get_scalar('train/loss_hallu').current()
    assert np.isfinite(hallu) and hallu > 0


def test_swapped_stores_are_refused(store_setup, tmp_path):
    videos, ckpt = store_setup['videos'], store_setup['ckpt']
    cfg = _semi_cfg(videos, ckpt, tmp_path)
    for i, name in enumerate(('labeled', 'unlabeled')):
        # Each list's store is written under the other list's path.
        extract_teacher_features(
            cfg, str(tmp_path / ('unlabeled', 'labeled')[i]),
            split=f'train.{i}', shard_size=2, num_workers=0, progress=False)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    with pytest.raises(FeatureStoreMismatchError):
        check_dataset_stores(cfg, 'train', dataset)
