# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for hallucinet_mm/store/manifest.py: the manifest check."""
import json
import os.path as osp
import shutil

import pytest

from hallucinet_mm.store import (FeatureStoreMismatchError,
                                 StoreIntegrityError, TeacherFeatureStore,
                                 build_store_spec, compare_specs)
from hallucinet_mm.store.format import STORE_FORMAT_VERSION
from hallucinet_mm.store.manifest import read_manifest
from tests.store.helpers import NUM_SAMPLES, online_cfg, store_cfg


def _cfg(s, **options):
    return store_cfg(s['videos'], s['ckpt'], s['stores']['float32'],
                     **options)


@pytest.mark.parametrize(
    'change, fields',
    [
        ('checkpoint', ['checkpoint_sha256']),
        ('tap', ['tap']),
        ('clip_len', ['sampler.clip_len', 'clip_len']),
    ])
def test_manifest_check_refuses_other_settings(store_setup, change, fields):
    s = store_setup
    options = {
        'checkpoint': {
            'store_teacher.checkpoint': s['other']
        },
        'tap': {
            'store_teacher.tap': 'backbone.layer2'
        },
        'clip_len': {
            'train_dataloader.dataset.pipeline.1.clip_len': 8
        },
    }[change]
    spec = build_store_spec(_cfg(s, **options), 'train')
    with pytest.raises(FeatureStoreMismatchError) as err:
        TeacherFeatureStore(s['stores']['float32'], expected=spec)
    assert sorted(f for f, _, _ in err.value.differences) == sorted(fields)
    assert osp.join(s['stores']['float32'], 'manifest.json') in str(
        err.value)
    store = TeacherFeatureStore(s['stores']['float32'])
    for field in fields:
        assert field in str(err.value)
    if change == 'tap':
        assert "'backbone'" in str(err.value)
        assert "'backbone.layer2'" in str(err.value)
    if change == 'checkpoint':
        assert store.manifest['checkpoint_sha256'] in str(err.value)
        assert spec['checkpoint_sha256'] in str(err.value)


def test_spec_ignores_what_test_mode_ignores(store_setup):
    """Random mode, training jitter and the teacher switch are no mismatch
    (the anchors are checked per sample instead)."""
    s = store_setup
    base = build_store_spec(_cfg(s), 'train')
    online = build_store_spec(
        online_cfg(s['videos'], s['ckpt'],
                   **{'train_dataloader.dataset.pipeline.1.mode': 'random'}),
        'train')
    assert compare_specs(base, online) == []
    store = TeacherFeatureStore(s['stores']['float32'])
    store.check(online)
    store.check(base, num_samples=NUM_SAMPLES)
    with pytest.raises(FeatureStoreMismatchError, match='num_samples'):
        store.check(base, num_samples=NUM_SAMPLES + 1)


def test_read_manifest_refuses_other_formats(store_setup, tmp_path):
    out = str(tmp_path / 'store')
    shutil.copytree(store_setup['stores']['float32'], out)
    path = osp.join(out, 'manifest.json')
    manifest = read_manifest(out)
    with open(path, 'w') as f:
        json.dump(dict(manifest, format_version=99), f)
    with pytest.raises(StoreIntegrityError,
                       match=f'not a version {STORE_FORMAT_VERSION}'):
        read_manifest(out)
    with open(path, 'w') as f:
        json.dump({k: v for k, v in manifest.items() if k != 'dtype'}, f)
    with pytest.raises(StoreIntegrityError, match=r"\['dtype'\]") as err:
        read_manifest(out)
    assert err.value.path == path
