# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for hallucinet_mm/datasets/transforms/teacher_features.py."""
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from hallucinet_mm.datasets.transforms import LoadTeacherFeatures
from hallucinet_mm.store import TeacherFeatureStore
from mmaction.registry import DATASETS, MODELS, TRANSFORMS
from tests.store.helpers import NUM_SAMPLES, online_cfg, store_cfg


def _cfg(s, dtype='float32', **options):
    return store_cfg(s['videos'], s['ckpt'], s['stores'][dtype], **options)


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


def test_store_gives_the_online_loss(store_setup):
    s = store_setup
    online_losses, online, online_data = _loss(
        online_cfg(s['videos'], s['ckpt']))
    assert online.teacher is not None
    assert online_data['inputs']['teacher_imgs'].shape == (NUM_SAMPLES, 1, 3,
                                                           16, 32, 32)
    state = online.state_dict()
    for dtype, atol in (('float32', 1e-5), ('float16', 1e-3)):
        losses, model, data = _loss(_cfg(s, dtype), state)
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


def test_load_refuses_mismatched_anchors(store_setup):
    store_dir = store_setup['stores']['float32']
    t = TRANSFORMS.build(dict(type='LoadTeacherFeatures', store_dir=store_dir))
    key = TeacherFeatureStore(store_dir).keys[2]
    out = t(dict(sample_idx=2, anchor_inds=np.array([12]), filename=key))
    assert out['teacher_feats'].shape == (1, 64)
    assert out['teacher_feats'].dtype == np.float32
    with pytest.raises(ValueError, match=r'sample 2 .*\[5\].*\[12\]'):
        t(dict(sample_idx=2, anchor_inds=np.array([5]), filename=key))
    # A training sampler in random mode: some anchor differs.
    cfg = _cfg(store_setup, **{
        'train_dataloader.dataset.pipeline.1.mode': 'random',
        'train_dataloader.dataset.pipeline.1.test_mode': False
    })
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    np.random.seed(0)
    with pytest.raises(ValueError, match='anchor frames'):
        for _ in range(5):
            for i in range(len(dataset)):
                dataset[i]


def test_load_refuses_other_sample_flip_and_missing_keys(store_setup):
    store_dir = store_setup['stores']['float32']
    keys = TeacherFeatureStore(store_dir).keys
    t = LoadTeacherFeatures(store_dir, verify='sha256')
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
    assert "verify='sha256'" in repr(t)


def test_load_pickles_without_the_features(store_setup):
    t = LoadTeacherFeatures(store_setup['stores']['float32'])
    t(dict(sample_idx=0, anchor_inds=np.array([12])))  # opens the memmap
    blob = pickle.dumps(t)
    assert len(blob) < 20000  # the memmap is not copied into the pickle
    again = pickle.loads(blob)
    out = again(dict(sample_idx=3, anchor_inds=np.array([12])))
    np.testing.assert_array_equal(out['teacher_feats'],
                                  t.store.features[3])


def test_the_dataset_names_the_store_without_a_pipeline_index(store_setup):
    s = store_setup
    cfg = store_cfg(s['videos'], s['ckpt'], s['stores']['float32'])
    assert cfg.train_dataloader.dataset.teacher_feature_store == \
        s['stores']['float32']
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    loader = next(t for t in dataset.pipeline.transforms
                  if isinstance(t, LoadTeacherFeatures))
    assert loader.store_dir == s['stores']['float32']
    assert dataset[0]['inputs']['teacher_feats'].shape[-1] == 64
    # A store given to a pipeline that reads none is refused.
    online = dict(online_cfg(s['videos'], s['ckpt']).train_dataloader.dataset,
                  teacher_feature_store=s['stores']['float32'])
    with pytest.raises(ValueError, match='has no LoadTeacherFeatures'):
        DATASETS.build(online)
    # A LoadTeacherFeatures with no store anywhere says so when used.
    with pytest.raises(ValueError, match='teacher_feature_store=DIR'):
        LoadTeacherFeatures().store
