# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for the teacher-feature store, LoadTeacherFeatures and its checks.

Tiny synthetic videos (first 6 of the 6 classes x 2 val videos, 24 frames,
32x32), a random-init tiny teacher saved to a checkpoint, a store written by
tools/extract_teacher_features.py.
"""
import os.path as osp
import pickle
from unittest.mock import MagicMock

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from hallucinet_mm.engine.hooks import CheckTeacherFeatureStoreHook
from hallucinet_mm.store import (FeatureStoreMismatchError,
                                 LoadTeacherFeatures, TeacherFeatureStore,
                                 build_store_spec, check_dataset_stores,
                                 extract_teacher_features)
from mmaction.registry import DATASETS, MODELS, TRANSFORMS
from tests.store.helpers import (LOAD_POS, NUM_SAMPLES, make_teacher_ckpt,
                                 online_cfg, store_cfg)


@pytest.fixture(scope='module')
def setup(synthetic_videos, tmp_path_factory):
    """A checkpoint, a second one, and float32 / float16 stores."""
    torch.set_num_threads(1)
    tmp = tmp_path_factory.mktemp('teacher_store')
    ckpt = make_teacher_ckpt(str(tmp / 'teacher.pth'), seed=0)
    other = make_teacher_ckpt(str(tmp / 'other.pth'), seed=1)
    stores = {}
    for dtype in ('float32', 'float16'):
        out = str(tmp / f'store_{dtype}')
        cfg = store_cfg(synthetic_videos, ckpt, out)
        extract_teacher_features(
            cfg, out, dtype=dtype, shard_size=4, num_workers=0,
            batch_size=NUM_SAMPLES, progress=False)
        stores[dtype] = out
    return dict(
        videos=synthetic_videos, ckpt=ckpt, other=other, stores=stores)


def _cfg(setup, dtype='float32', **options):
    return store_cfg(setup['videos'], setup['ckpt'], setup['stores'][dtype],
                     **options)


def test_store_contents(setup):
    cfg = _cfg(setup)
    store = TeacherFeatureStore(
        setup['stores']['float32'], expected=build_store_spec(cfg, 'train'))
    assert len(store) == NUM_SAMPLES and store.steps == 1
    assert store.feat_dim == 64
    feats = store.features
    assert isinstance(feats, np.memmap) and not feats.flags.writeable
    assert feats.shape == (NUM_SAMPLES, 1, 64) and feats.dtype == np.float32
    # Centre frame of 24-frame videos; keys relative to data_prefix.
    assert store.anchors.tolist() == [[12]] * NUM_SAMPLES
    assert store.key_field == 'filename'
    lines = open(setup['videos']['val_ann']).read().split('\n')
    assert store.keys == [ln.split(' ')[0] for ln in lines[:NUM_SAMPLES]]
    m = store.manifest
    for field in ('teacher', 'teacher_cfg', 'checkpoint', 'checkpoint_sha256',
                  'tap', 'feat_dim', 'dtype', 'sampler', 'clip_len',
                  'frame_interval', 'anchors', 'teacher_pipeline',
                  'teacher_norm', 'num_samples', 'steps', 'split',
                  'ann_file', 'version'):
        assert field in m, field
    assert m['tap'] == 'backbone' and m['clip_len'] == 16
    assert m['sampler']['type'] == 'SingleFrameSampler'
    assert m['teacher_norm']['mean'] == [114.7748, 107.7354, 99.475]
    half = TeacherFeatureStore(setup['stores']['float16'])
    assert half.features.dtype == np.float16
    np.testing.assert_allclose(
        half.features.astype(np.float32), feats, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize(
    'change, fields',
    [
        ('checkpoint', ['checkpoint_sha256']),
        ('tap', ['tap']),
        ('clip_len', ['sampler.clip_len', 'clip_len']),
    ])
def test_manifest_check_refuses_other_settings(setup, change, fields):
    options = {
        'checkpoint': {
            'store_teacher.checkpoint': setup['other']
        },
        'tap': {
            'store_teacher.tap': 'backbone.layer2'
        },
        'clip_len': {
            'train_dataloader.dataset.pipeline.1.clip_len': 8
        },
    }[change]
    spec = build_store_spec(_cfg(setup, **options), 'train')
    with pytest.raises(FeatureStoreMismatchError) as err:
        TeacherFeatureStore(setup['stores']['float32'], expected=spec)
    assert sorted(f for f, _, _ in err.value.differences) == sorted(fields)
    store = TeacherFeatureStore(setup['stores']['float32'])
    for field in fields:
        assert field in str(err.value)
    if change == 'tap':
        assert "'backbone'" in str(err.value)
        assert "'backbone.layer2'" in str(err.value)
    if change == 'checkpoint':
        assert store.manifest['checkpoint_sha256'] in str(err.value)
        assert spec['checkpoint_sha256'] in str(err.value)


def test_spec_ignores_what_test_mode_ignores(setup):
    """Random mode, training jitter and the teacher switch are no mismatch
    (the anchors are checked per sample instead)."""
    base = build_store_spec(_cfg(setup), 'train')
    online = build_store_spec(
        online_cfg(setup['videos'], setup['ckpt'],
                   **{'train_dataloader.dataset.pipeline.1.mode': 'random'}),
        'train')
    store = TeacherFeatureStore(setup['stores']['float32'])
    store.check(online)
    store.check(base, num_samples=NUM_SAMPLES)
    with pytest.raises(FeatureStoreMismatchError, match='num_samples'):
        store.check(base, num_samples=NUM_SAMPLES + 1)


def _loss(cfg, state_dict=None):
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    if state_dict is not None:
        model.load_state_dict(state_dict)
    model.eval()  # no dropout: the comparison is deterministic
    data = pseudo_collate([dataset[i] for i in range(len(dataset))])
    data = model.data_preprocessor(data, training=True)
    with torch.no_grad():
        losses = model(**data, mode='loss')
    return losses, model, data


def test_store_gives_the_online_loss(setup):
    online_losses, online, online_data = _loss(
        online_cfg(setup['videos'], setup['ckpt']))
    assert online.teacher is not None
    assert online_data['inputs']['teacher_imgs'].shape == (NUM_SAMPLES, 1, 3,
                                                           16, 32, 32)
    state = online.state_dict()
    for dtype, atol in (('float32', 1e-5), ('float16', 1e-3)):
        losses, model, data = _loss(_cfg(setup, dtype), state)
        assert model.teacher is None
        feats = data['inputs']['teacher_feats']
        assert feats.shape == (NUM_SAMPLES, 1, 64)
        assert feats.dtype == torch.float32
        assert 'teacher_imgs' not in data['inputs']
        assert torch.equal(data['inputs']['imgs'],
                           online_data['inputs']['imgs'])
        torch.testing.assert_close(
            losses['loss_cls'], online_losses['loss_cls'], rtol=0, atol=1e-6)
        assert losses['loss_hallu'] > 0
        torch.testing.assert_close(
            losses['loss_hallu'],
            online_losses['loss_hallu'],
            rtol=0,
            atol=atol,
            msg=f'{dtype} store')


def test_load_refuses_mismatched_anchors(setup):
    store_dir = setup['stores']['float32']
    t = TRANSFORMS.build(dict(type='LoadTeacherFeatures', store_dir=store_dir))
    key = TeacherFeatureStore(store_dir).keys[2]
    out = t(dict(sample_idx=2, anchor_inds=np.array([12]), filename=key))
    assert out['teacher_feats'].shape == (1, 64)
    assert out['teacher_feats'].dtype == np.float32
    with pytest.raises(ValueError, match=r'sample 2 .*\[5\].*\[12\]'):
        t(dict(sample_idx=2, anchor_inds=np.array([5]), filename=key))
    # A training sampler in random mode: some anchor differs.
    cfg = _cfg(setup, **{
        'train_dataloader.dataset.pipeline.1.mode': 'random',
        'train_dataloader.dataset.pipeline.1.test_mode': False
    })
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    np.random.seed(0)
    with pytest.raises(ValueError, match='anchor frames'):
        for _ in range(5):
            for i in range(len(dataset)):
                dataset[i]


def test_load_refuses_other_sample_flip_and_missing_keys(setup):
    store_dir = setup['stores']['float32']
    keys = TeacherFeatureStore(store_dir).keys
    t = LoadTeacherFeatures(store_dir)
    with pytest.raises(ValueError, match='another annotation file'):
        t(dict(sample_idx=0, anchor_inds=np.array([12]),
               filename='/data/videos/' + keys[1]))
    t(dict(sample_idx=1, anchor_inds=np.array([12]),
           filename='/elsewhere/videos/' + keys[1]))  # another data root
    with pytest.raises(ValueError, match='flipped'):
        t(dict(sample_idx=0, anchor_inds=np.array([12]), flip=True))
    with pytest.raises(KeyError, match='anchor_inds'):
        t(dict(sample_idx=0))
    with pytest.raises(IndexError, match='another split'):
        t(dict(sample_idx=NUM_SAMPLES, anchor_inds=np.array([12])))
    with pytest.raises(FileNotFoundError, match='extract_teacher_features'):
        LoadTeacherFeatures(osp.join(store_dir, 'nothing')).store
    assert 'LoadTeacherFeatures' in repr(t) and store_dir in repr(t)


def test_load_pickles_without_the_features(setup):
    t = LoadTeacherFeatures(setup['stores']['float32'])
    t(dict(sample_idx=0, anchor_inds=np.array([12])))  # opens the memmap
    blob = pickle.dumps(t)
    assert len(blob) < 20000  # the memmap is not copied into the pickle
    again = pickle.loads(blob)
    out = again(dict(sample_idx=3, anchor_inds=np.array([12])))
    np.testing.assert_array_equal(out['teacher_feats'],
                                  t.store.features[3])


def test_hook_checks_the_runner_datasets(setup):
    cfg = _cfg(setup)
    runner = MagicMock()
    runner.cfg = cfg
    runner.train_dataloader.dataset = DATASETS.build(
        cfg.train_dataloader.dataset)
    hook = CheckTeacherFeatureStoreHook()
    hook.before_train(runner)
    runner.logger.info.assert_called_once()

    bad = _cfg(setup, **{'store_teacher.checkpoint': setup['other']})
    runner.cfg = bad
    with pytest.raises(FeatureStoreMismatchError, match='checkpoint_sha256'):
        CheckTeacherFeatureStoreHook().before_train(runner)
    # The config's LoadTeacherFeatures can also be given the spec directly.
    pipeline = bad.train_dataloader.dataset.pipeline
    pipeline[LOAD_POS]['expected'] = build_store_spec(bad, 'train')
    with pytest.raises(FeatureStoreMismatchError):
        DATASETS.build(bad.train_dataloader.dataset)
    # A dataset of another length.
    shorter = _cfg(setup, **{'train_dataloader.dataset.indices': 4})
    dataset = DATASETS.build(shorter.train_dataloader.dataset)
    with pytest.raises(FeatureStoreMismatchError, match='num_samples'):
        check_dataset_stores(shorter, 'train', dataset)
    # No store in the pipeline: nothing to check.
    online = online_cfg(setup['videos'], setup['ckpt'])
    assert check_dataset_stores(
        online, 'train', DATASETS.build(online.train_dataloader.dataset)) == 0
