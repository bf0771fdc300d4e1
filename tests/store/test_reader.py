# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for hallucinet_mm/store/reader.py: contents, checks, pickling."""
import json
import os.path as osp
import pickle
import shutil

import numpy as np
import pytest

from hallucinet_mm.store import (NonFiniteFeaturesError, StoreIntegrityError,
                                 TeacherFeatureStore, build_store_spec)
from tests.store.helpers import NUM_SAMPLES, store_cfg


def test_store_contents(store_setup):
    s = store_setup
    cfg = store_cfg(s['videos'], s['ckpt'], s['stores']['float32'])
    store = TeacherFeatureStore(
        s['stores']['float32'], expected=build_store_spec(cfg, 'train'))
    assert len(store) == NUM_SAMPLES and store.steps == 1
    assert store.feat_dim == 64
    feats = store.features
    assert not feats.flags.writeable
    assert all(isinstance(m, np.memmap) and not m.flags.writeable
               for m in store.shard_arrays())  # read in place, no copy
    assert feats.shape == (NUM_SAMPLES, 1, 64) and feats.dtype == np.float32
    # Centre frame of 24-frame videos; keys relative to data_prefix.
    assert store.anchors.tolist() == [[12]] * NUM_SAMPLES
    assert store.key_field == 'filename'
    lines = open(s['videos']['val_ann']).read().split('\n')
    assert store.keys == [ln.split(' ')[0] for ln in lines[:NUM_SAMPLES]]
    m = store.manifest
    for field in ('teacher', 'teacher_cfg', 'checkpoint', 'checkpoint_sha256',
                  'tap', 'feat_dim', 'dtype', 'sampler', 'clip_len',
                  'frame_interval', 'anchors', 'teacher_pipeline',
                  'teacher_norm', 'num_samples', 'steps', 'split',
                  'ann_file', 'version', 'shards', 'keys_size',
                  'keys_sha256'):
        assert field in m, field
    assert m['tap'] == 'backbone' and m['clip_len'] == 16
    assert m['sampler']['type'] == 'SingleFrameSampler'
    assert m['teacher_norm']['mean'] == [114.7748, 107.7354, 99.475]
    assert m['shards'][0]['size'] == osp.getsize(store.shard_file(0))
    assert not osp.exists(osp.join(store.path, 'features.npy'))  # no copy
    store.verify('sha256')  # an intact store passes the full check
    half = TeacherFeatureStore(s['stores']['float16'], verify='sha256')
    assert half.features.dtype == np.float16
    np.testing.assert_allclose(
        half.features.astype(np.float32), feats, rtol=1e-3, atol=1e-3)
    assert 'num_samples=6' in repr(store)


def test_get_checks_index_key_anchors(store_setup):
    store = TeacherFeatureStore(store_setup['stores']['float32'])
    key = store.keys[2]
    row = store.get(2, anchors=[12], key='/any/root/' + key)
    assert row.shape == (1, 64) and row.dtype == np.float32
    np.testing.assert_array_equal(row, store.features[2])
    with pytest.raises(ValueError, match=r'sample 2 .*\[5\].*\[12\]'):
        store.get(2, anchors=[5])
    with pytest.raises(ValueError, match='another annotation file'):
        store.get(0, key=key)
    with pytest.raises(IndexError, match='another split'):
        store.get(NUM_SAMPLES)


def test_non_finite_row_names_store_and_key(store_setup, tmp_path):
    out = str(tmp_path / 'store')
    shutil.copytree(store_setup['stores']['float32'], out)
    store = TeacherFeatureStore(out)
    shard = store.shard_file(4)
    feats = np.load(shard, mmap_mode='r+')
    feats[4 - store.manifest['shards'][-1]['start'], 0, 7] = np.nan
    feats.flush()
    del feats
    store = TeacherFeatureStore(out)  # sizes are intact
    store.get(3)
    with pytest.raises(NonFiniteFeaturesError) as err:
        store.get(4)
    assert shard in str(err.value)
    assert store.keys[4] in str(err.value) and '1 NaN' in str(err.value)
    with pytest.raises(StoreIntegrityError, match='sha256'):
        store.verify('sha256')


def test_open_refuses_damaged_files(store_setup, tmp_path):
    out = str(tmp_path / 'store')
    shutil.copytree(store_setup['stores']['float32'], out)
    with open(osp.join(out, 'keys.json'), 'w') as f:
        json.dump(dict(key_field='filename', keys=['a'], anchors=[[1]]), f)
    with pytest.raises(StoreIntegrityError, match='keys.json lists 1'):
        TeacherFeatureStore(out)
    with pytest.raises(ValueError, match='verify must be one of'):
        TeacherFeatureStore(store_setup['stores']['float32'], verify='md5')


def test_pickles_without_the_features(store_setup):
    store = TeacherFeatureStore(store_setup['stores']['float32'])
    store.get(0)  # opens the memmap
    blob = pickle.dumps(store)
    assert len(blob) < 20000  # the memmap is not copied into the pickle
    again = pickle.loads(blob)
    np.testing.assert_array_equal(again.get(3), store.features[3])
