# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for CheckTeacherFeatureStoreHook (hallucinet_mm/engine/hooks)."""
import os.path as osp
from unittest.mock import MagicMock

import pytest

from hallucinet_mm.engine.hooks import CheckTeacherFeatureStoreHook
from hallucinet_mm.store import (FeatureStoreMismatchError,
                                 StoreIntegrityError)
from mmaction.registry import DATASETS, HOOKS
from tests.store.helpers import make_store, store_cfg


@pytest.fixture(scope='module')
def store(synthetic_videos, tmp_path_factory):
    return make_store(synthetic_videos,
                      str(tmp_path_factory.mktemp('hook_store')))


def _runner(videos, ckpt, out):
    cfg = store_cfg(videos, ckpt, out)
    runner = MagicMock()
    runner.cfg = cfg
    runner.train_dataloader.dataset = DATASETS.build(
        cfg.train_dataloader.dataset)
    return runner


def test_hook_checks_the_runner_datasets(synthetic_videos, store):
    runner = _runner(synthetic_videos, store['ckpt'], store['out'])
    hook = HOOKS.build(
        dict(type='CheckTeacherFeatureStoreHook', verify='sha256'))
    hook.before_train(runner)
    runner.logger.info.assert_called_once()
    assert 'sha256' in runner.logger.info.call_args[0][0]
    hook.before_train(runner)  # checked once per split
    runner.logger.info.assert_called_once()

    runner = _runner(synthetic_videos, store['other'], store['out'])
    with pytest.raises(FeatureStoreMismatchError, match='checkpoint_sha256'):
        CheckTeacherFeatureStoreHook().before_train(runner)
    with pytest.raises(ValueError, match='verify must be one of'):
        CheckTeacherFeatureStoreHook(verify='full')


def test_hook_refuses_a_truncated_store(synthetic_videos, store, tmp_path):
    import shutil
    out = str(tmp_path / 'store')
    shutil.copytree(store['out'], out)
    runner = _runner(synthetic_videos, store['ckpt'], out)
    shard = osp.join(out, 'shard_00000.npy')  # the features (no copy)
    with open(shard, 'r+b') as f:
        f.truncate(osp.getsize(shard) - 8)
    with pytest.raises(StoreIntegrityError, match='truncated') as err:
        CheckTeacherFeatureStoreHook().before_train(runner)
    assert shard in str(err.value)
