# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for hallucinet_mm/store/check.py: a built dataset's stores."""
import pytest

from hallucinet_mm.store import (FeatureStoreMismatchError, build_store_spec,
                                 check_dataset_stores)
from mmaction.registry import DATASETS
from tests.store.helpers import online_cfg, store_cfg


def test_check_dataset_stores(store_setup):
    s = store_setup
    cfg = store_cfg(s['videos'], s['ckpt'], s['stores']['float32'])
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert check_dataset_stores(cfg, 'train', dataset, verify='sha256') == 1
    bad = store_cfg(s['videos'], s['other'], s['stores']['float32'])
    with pytest.raises(FeatureStoreMismatchError, match='checkpoint_sha256'):
        check_dataset_stores(bad, 'train', dataset)
    # The config's LoadTeacherFeatures can also be given the spec directly.
    pipeline = bad.train_dataloader.dataset.pipeline
    loader = next(t for t in pipeline if t['type'] == 'LoadTeacherFeatures')
    loader['expected'] = build_store_spec(bad, 'train')
    with pytest.raises(FeatureStoreMismatchError):
        DATASETS.build(bad.train_dataloader.dataset)
    # A dataset of another length.
    shorter = store_cfg(s['videos'], s['ckpt'], s['stores']['float32'],
                        **{'train_dataloader.dataset.indices': 4})
    dataset = DATASETS.build(shorter.train_dataloader.dataset)
    with pytest.raises(FeatureStoreMismatchError, match='num_samples'):
        check_dataset_stores(shorter, 'train', dataset)
    # No store in the pipeline: nothing to check.
    online = online_cfg(s['videos'], s['ckpt'])
    assert check_dataset_stores(
        online, 'train', DATASETS.build(online.train_dataloader.dataset)) == 0
