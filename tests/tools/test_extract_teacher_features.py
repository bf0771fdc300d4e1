# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for tools/extract_teacher_features.py: store files, resuming,
sharding over ranks, refusing to mix settings."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch

from hallucinet_mm.store import FeatureStoreMismatchError, TeacherFeatureStore
from hallucinet_mm.store.format import shard_path
from tests.store.helpers import (NUM_SAMPLES, STORE_CFG, make_teacher_ckpt,
                                 store_cfg)
from tools.extract_teacher_features import (extract_teacher_features, main,
                                            parse_args)

SHARD = 2  # 6 samples -> 3 shards


@pytest.fixture(scope='module')
def ckpts(tmp_path_factory):
    torch.set_num_threads(1)
    tmp = tmp_path_factory.mktemp('teachers')
    return (make_teacher_ckpt(str(tmp / 'a.pth'), seed=0),
            make_teacher_ckpt(str(tmp / 'b.pth'), seed=1))


def _extract(videos, ckpt, out, **kwargs):
    kwargs.setdefault('shard_size', SHARD)
    return extract_teacher_features(
        store_cfg(videos, ckpt, out), out, num_workers=0, progress=False,
        **kwargs)


def _assert_same_features(out, ref):
    # Teacher batches differ between runs: float32 rounding may differ.
    np.testing.assert_allclose(
        TeacherFeatureStore(out).features,
        TeacherFeatureStore(ref).features,
        rtol=1e-5,
        atol=1e-5)
    with open(osp.join(out, 'keys.json')) as f, \
            open(osp.join(ref, 'keys.json')) as g:
        assert json.load(f) == json.load(g)


def _mtimes(out):
    return {
        f: os.stat(osp.join(out, f)).st_mtime_ns
        for f in os.listdir(out) if f.startswith('shard_')
    }


@pytest.fixture(scope='module')
def reference(synthetic_videos, ckpts, tmp_path_factory):
    """A store written in one go through the command line."""
    out = str(tmp_path_factory.mktemp('reference') / 'store')
    videos = synthetic_videos
    manifest = main([
        STORE_CFG, '--out', out, '--split', 'train', '--dtype', 'float32',
        '--shard-size',
        str(SHARD), '--num-workers', '0', '--batch-size', '4',
        '--cfg-options', f'store_teacher.checkpoint={ckpts[0]}',
        f'train_dataloader.dataset.ann_file={videos["val_ann"]}',
        f'train_dataloader.dataset.data_prefix.video={videos["video_dir"]}',
        f'train_dataloader.dataset.indices={NUM_SAMPLES}'
    ])
    return out, manifest


def test_cli_writes_the_store(reference):
    out, manifest = reference
    files = set(os.listdir(out))
    assert {'manifest.json', 'keys.json'} <= files
    assert 'features.npy' not in files  # the shards are the features
    assert {f'shard_0000{i}.{e}' for i in range(3) for e in ('npy', 'json')
            } <= files
    assert not [f for f in files if '.tmp' in f]
    with open(osp.join(out, 'manifest.json')) as f:
        assert json.load(f) == manifest
    assert manifest['num_samples'] == NUM_SAMPLES and manifest['steps'] == 1
    assert manifest['feat_dim'] == 64 and manifest['dtype'] == 'float32'
    assert manifest['num_shards'] == 3
    assert len(manifest['checkpoint_sha256']) == 64
    feats = TeacherFeatureStore(out, verify='sha256').features
    shards = [np.load(shard_path(out, i)) for i in range(3)]
    np.testing.assert_array_equal(feats, np.concatenate(shards))
    assert feats.shape == (NUM_SAMPLES, 1, 64)
    assert np.isfinite(feats).all() and feats.std() > 0
    with open(osp.join(out, 'keys.json')) as f:
        keys = json.load(f)
    assert keys['anchors'] == [[12]] * NUM_SAMPLES
    assert len(set(keys['keys'])) == NUM_SAMPLES


def test_cli_verify_option():
    assert parse_args(['cfg.py', '--out', 'x']).verify == 'sha256'
    assert parse_args(['cfg.py', '--out', 'x', '--verify', 'size'
                       ]).verify == 'size'
    with pytest.raises(SystemExit):
        parse_args(['cfg.py', '--out', 'x', '--verify', 'md5'])


def test_resume_keeps_finished_shards(synthetic_videos, ckpts, reference,
                                      tmp_path):
    out = str(tmp_path / 'store')
    # An interrupted run: one shard, then stop.
    assert _extract(synthetic_videos, ckpts[0], out, max_shards=1) is None
    assert not osp.exists(osp.join(out, 'manifest.json'))
    first = _mtimes(out)
    assert set(first) == {'shard_00000.npy', 'shard_00000.json'}
    manifest = _extract(synthetic_videos, ckpts[0], out)
    assert manifest is not None
    done = _mtimes(out)
    for name, mtime in first.items():
        assert done[name] == mtime, f'{name} was recomputed'
    _assert_same_features(out, reference[0])

    # Lost the last shard and the manifest (killed while assembling).
    for name in ('shard_00002.npy', 'shard_00002.json', 'manifest.json'):
        os.remove(osp.join(out, name))
    with open(shard_path(out, 1), 'r+b') as f:  # a torn shard is redone
        f.truncate(10)
    _extract(synthetic_videos, ckpts[0], out)
    again = _mtimes(out)
    assert again['shard_00000.npy'] == done['shard_00000.npy']
    assert os.path.getsize(shard_path(out, 1)) == os.path.getsize(
        shard_path(reference[0], 1))
    assert 'shard_00002.npy' in again
    _assert_same_features(out, reference[0])
    assert TeacherFeatureStore(out).features.shape == (NUM_SAMPLES, 1, 64)
    # A complete store: nothing to do.
    _extract(synthetic_videos, ckpts[0], out)
    assert _mtimes(out) == again


def test_crash_while_writing_resumes(synthetic_videos, ckpts, reference,
                                     tmp_path, monkeypatch):
    """Killed in the middle of writing shard 1: shard 0 is kept, the
    half-written file is never taken for a shard and is cleaned up."""
    import hallucinet_mm.store.format as store_format
    out = str(tmp_path / 'store')
    real_replace = os.replace

    def crash_on_shard_1(src, dst):
        if dst == shard_path(out, 1):
            raise KeyboardInterrupt('killed')
        return real_replace(src, dst)

    monkeypatch.setattr(store_format.os, 'replace', crash_on_shard_1)
    with pytest.raises(KeyboardInterrupt):
        _extract(synthetic_videos, ckpts[0], out, batch_size=1)
    monkeypatch.setattr(store_format.os, 'replace', real_replace)
    first = _mtimes(out)
    assert [f for f in first if '.tmp' in f]  # the torn write
    assert not osp.exists(shard_path(out, 1))
    _extract(synthetic_videos, ckpts[0], out)
    done = _mtimes(out)
    assert done['shard_00000.npy'] == first['shard_00000.npy']
    assert done['shard_00000.json'] == first['shard_00000.json']
    assert not [f for f in os.listdir(out) if '.tmp' in f]
    _assert_same_features(out, reference[0])


def test_refuses_to_mix_settings(synthetic_videos, ckpts, tmp_path):
    out = str(tmp_path / 'store')
    _extract(synthetic_videos, ckpts[0], out, max_shards=1)
    with pytest.raises(FeatureStoreMismatchError, match='checkpoint_sha256'):
        _extract(synthetic_videos, ckpts[1], out)
    with pytest.raises(FeatureStoreMismatchError, match='shard_size'):
        _extract(synthetic_videos, ckpts[0], out, shard_size=3)
    with pytest.raises(ValueError, match='local checkpoint'):
        extract_teacher_features(
            store_cfg(synthetic_videos, None, out), out, progress=False)


def test_ranks_share_the_shards(synthetic_videos, ckpts, reference,
                                tmp_path):
    """Two ranks (run one after the other): rank 1 takes shard 1, rank 0
    shards 0 and 2 and then assembles the store."""
    out = str(tmp_path / 'store')
    assert _extract(
        synthetic_videos, ckpts[0], out, rank=1, world_size=2) is None
    assert set(_mtimes(out)) == {'shard_00001.npy', 'shard_00001.json'}
    manifest = _extract(
        synthetic_videos, ckpts[0], out, rank=0, world_size=2, wait_s=0.01)
    assert manifest['num_shards'] == 3
    _assert_same_features(out, reference[0])


def test_train_from_the_store(synthetic_videos, ckpts, reference, tmp_path):
    """A Runner trains from the store; the hook refuses another teacher."""
    from mmengine.runner import Runner

    def runner_for(ckpt, name):
        cfg = store_cfg(synthetic_videos, ckpt, reference[0], **{
            'train_dataloader.batch_size': 3,
            'train_cfg.max_epochs': 1,
            'default_hooks.checkpoint': None,
            'default_hooks.logger.interval': 1,
        })
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
        cfg.work_dir = str(tmp_path / name)
        return Runner.from_cfg(cfg)

    runner = runner_for(ckpts[0], 'ok')
    runner.train()
    loss = runner.message_hub.get_scalar('train/loss_hallu').current()
    assert np.isfinite(loss) and loss > 0
    assert runner.iter == NUM_SAMPLES // 3

    runner = runner_for(ckpts[1], 'other')
    with pytest.raises(FeatureStoreMismatchError, match='checkpoint_sha256'):
        runner.train()
    assert runner.iter == 0
