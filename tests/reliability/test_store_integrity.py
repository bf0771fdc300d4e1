# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Damaged teacher-feature stores and bad extraction input.

Each kind of damage gives a clear error that names the file (or the field,
or the sample's key, or the video and the teacher checkpoint), and nothing
already written is lost: intact shards are never recomputed, a refused
store keeps every file, a rerun of the extractor repairs what it can.
Tiny synthetic videos (6 samples, 3 shards of 2), a random tiny teacher.
"""
import os
import os.path as osp
import shutil
import warnings

import numpy as np
import pytest
import torch

import hallucinet_mm.store.writer as writer
from hallucinet_mm.datasets.transforms import LoadTeacherFeatures
from hallucinet_mm.store import (FeatureStoreMismatchError,
                                 NonFiniteFeaturesError, StoreIntegrityError,
                                 TeacherFeatureStore, build_store_spec,
                                 check_dataset_stores)
from mmaction.registry import DATASETS
from tests.store.helpers import NUM_SAMPLES, extract, make_store, store_cfg

#: A shard (samples 2-3): the store's features, read directly (no copy).
FEATURES = 'shard_00001.npy'


@pytest.fixture(scope='module')
def ref(synthetic_videos, tmp_path_factory):
    """A teacher checkpoint, another one, and an intact reference store."""
    return make_store(synthetic_videos,
                      str(tmp_path_factory.mktemp('store_integrity')))


def _copy(ref, tmp_path):
    out = str(tmp_path / 'store')
    shutil.copytree(ref['out'], out)
    return out


def _files(out):
    """Every file's bytes and mtime."""
    return {
        name: (open(osp.join(out, name), 'rb').read(),
               os.stat(osp.join(out, name)).st_mtime_ns)
        for name in sorted(os.listdir(out))
    }


def _shard_mtimes(out):
    return {
        f: os.stat(osp.join(out, f)).st_mtime_ns
        for f in os.listdir(out) if f.startswith('shard_')
    }


def _rerun(ref, out, **kwargs):
    """Reruns the extractor; returns its warnings' text."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert extract(ref['videos'], ref['ckpt'], out, **kwargs) is not None
    return ' '.join(str(w.message) for w in caught)


def _assert_like_reference(ref, out):
    store = TeacherFeatureStore(out, verify='sha256')
    np.testing.assert_allclose(
        store.features,
        TeacherFeatureStore(ref['out']).features,
        rtol=1e-5,
        atol=1e-5)


def _write_row(out, index, value):
    """Alters sample ``index`` in its shard; returns the shard's path."""
    path = osp.join(out, f'shard_{index // 2:05d}.npy')
    feats = np.load(path, mmap_mode='r+')
    feats[index % 2, 0, 3] = value
    feats.flush()
    del feats
    return path


def test_truncated_features_named_and_rebuilt_from_shards(ref, tmp_path):
    out = _copy(ref, tmp_path)
    path = osp.join(out, FEATURES)
    with open(path, 'r+b') as f:
        f.truncate(osp.getsize(path) - 100)
    shards = {
        k: v
        for k, v in _shard_mtimes(out).items()
        if not k.startswith('shard_00001')
    }
    for open_store in (lambda: TeacherFeatureStore(out),
                       lambda: LoadTeacherFeatures(out)(dict(
                           sample_idx=0, anchor_inds=[12]))):
        with pytest.raises(StoreIntegrityError, match='truncated') as err:
            open_store()
        assert path in str(err.value) and 'mmap' not in str(err.value)
    text = _rerun(ref, out)  # not "complete": rebuilt from its shards
    assert 'damaged' in text and path in text
    after = _shard_mtimes(out)  # only the damaged shard recomputed
    assert {k: after[k] for k in shards} == shards
    _assert_like_reference(ref, out)


def test_altered_features_fail_sha256_and_are_rebuilt(ref, tmp_path):
    out = _copy(ref, tmp_path)
    path = osp.join(out, FEATURES)
    with open(path, 'r+b') as f:  # same size, another value
        f.seek(-2, os.SEEK_END)
        f.write(b'\x7f\x7f')
    TeacherFeatureStore(out)  # the size check cannot see it
    with pytest.raises(StoreIntegrityError, match='sha256') as err:
        TeacherFeatureStore(out, verify='sha256')
    assert path in str(err.value) and 'manifest.json' in str(err.value)
    assert err.value.path == path
    assert 'sha256' in _rerun(ref, out)
    _assert_like_reference(ref, out)


def test_missing_manifest_named_and_reassembled(ref, tmp_path):
    out = _copy(ref, tmp_path)
    os.remove(osp.join(out, 'manifest.json'))
    shards = _shard_mtimes(out)
    with pytest.raises(FileNotFoundError, match='manifest.json') as err:
        TeacherFeatureStore(out)
    assert out in str(err.value)
    _rerun(ref, out)
    assert _shard_mtimes(out) == shards
    _assert_like_reference(ref, out)


def test_damaged_manifest_and_keys_named(ref, tmp_path):
    out = _copy(ref, tmp_path)
    keys = osp.join(out, 'keys.json')
    with open(keys, 'r+') as f:
        f.truncate(20)
    with pytest.raises(StoreIntegrityError, match='not valid JSON') as err:
        TeacherFeatureStore(out)
    assert keys in str(err.value)
    manifest = osp.join(out, 'manifest.json')
    with open(manifest, 'w') as f:
        f.write('{"format": ')
    with pytest.raises(StoreIntegrityError, match='not valid JSON') as err:
        TeacherFeatureStore(out)
    assert manifest in str(err.value)
    # Without extraction.json the settings are unknown: refused, kept.
    run_file = osp.join(out, 'extraction.json')
    shutil.move(run_file, run_file + '.bak')
    before = _files(out)
    with pytest.raises(StoreIntegrityError, match='extraction.json') as err:
        extract(ref['videos'], ref['ckpt'], out)
    assert manifest in str(err.value)
    assert _files(out) == before
    shutil.move(run_file + '.bak', run_file)
    shards = _shard_mtimes(out)
    _rerun(ref, out)
    assert _shard_mtimes(out) == shards
    _assert_like_reference(ref, out)


def test_store_of_another_teacher_refused_and_kept(ref, tmp_path):
    out = _copy(ref, tmp_path)
    before = _files(out)
    cfg = store_cfg(ref['videos'], ref['other'], out)
    with pytest.raises(FeatureStoreMismatchError,
                       match='checkpoint_sha256') as err:
        check_dataset_stores(cfg, 'train',
                             DATASETS.build(cfg.train_dataloader.dataset))
    assert osp.join(out, 'manifest.json') in str(err.value)
    with pytest.raises(FeatureStoreMismatchError, match='checkpoint_sha256'):
        extract(ref['videos'], ref['other'], out)
    os.remove(osp.join(out, 'extraction.json'))  # the store's own check
    with pytest.raises(FeatureStoreMismatchError, match='checkpoint_sha256'):
        extract(ref['videos'], ref['other'], out)
    before.pop('extraction.json')
    assert _files(out) == before


def test_store_of_another_crop_refused(ref):
    crop = [dict(type='CenterCrop', crop_size=24)]
    cfg = store_cfg(
        ref['videos'], ref['ckpt'], ref['out'],
        **{'train_dataloader.dataset.pipeline.3.teacher_pipeline': crop})
    with pytest.raises(FeatureStoreMismatchError) as err:
        TeacherFeatureStore(ref['out'], expected=build_store_spec(cfg))
    assert [f for f, _, _ in err.value.differences] == [
        'teacher_pipeline'
    ]
    assert 'CenterCrop' in str(err.value)


def test_store_of_another_split_refused(ref):
    """The store holds the val list; the train list has other videos."""
    cfg = store_cfg(
        ref['videos'], ref['ckpt'], ref['out'],
        **{'train_dataloader.dataset.ann_file': ref['videos']['train_ann']})
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    with pytest.raises(ValueError, match='another annotation file or split'
                       ) as err:
        dataset.prepare_data(0)
    assert ref['out'] in str(err.value)
    longer = store_cfg(ref['videos'], ref['ckpt'], ref['out'],
                       num_samples=NUM_SAMPLES + 2)
    with pytest.raises(FeatureStoreMismatchError, match='num_samples'):
        check_dataset_stores(longer, 'train',
                             DATASETS.build(longer.train_dataloader.dataset))


@pytest.mark.parametrize('value, name', [(np.nan, '1 NaN'),
                                         (np.inf, '1 Inf')])
def test_non_finite_rows_named_by_key(ref, tmp_path, value, name):
    out = _copy(ref, tmp_path)
    shard = _write_row(out, 4, value)
    store = TeacherFeatureStore(out)
    store.get(3)
    load = LoadTeacherFeatures(out)
    with pytest.raises(NonFiniteFeaturesError, match=name) as err:
        load(dict(sample_idx=4, anchor_inds=[12]))
    assert shard in str(err.value)
    assert store.keys[4] in str(err.value)
    _rerun(ref, out)  # the sha256 differs: rebuilt from the shards
    _assert_like_reference(ref, out)


def test_missing_shard_recomputed_alone(ref, tmp_path):
    out = _copy(ref, tmp_path)
    os.remove(osp.join(out, 'shard_00001.npy'))
    with pytest.raises(FileNotFoundError,  # the shards are the features
                       match=osp.join(out, 'shard_00001.npy')):
        TeacherFeatureStore(out)
    kept = {
        k: v
        for k, v in _shard_mtimes(out).items() if not k.startswith(
            'shard_00001')
    }
    _rerun(ref, out)
    after = _shard_mtimes(out)
    assert {k: after[k] for k in kept} == kept
    assert 'shard_00001.npy' in after
    _assert_like_reference(ref, out)


def test_altered_shard_recomputed_with_sha256(ref, tmp_path):
    out = str(tmp_path / 'store')
    assert extract(ref['videos'], ref['ckpt'], out, max_shards=2) is None
    path = osp.join(out, 'shard_00001.npy')
    with open(path, 'r+b') as f:
        f.seek(-2, os.SEEK_END)
        f.write(b'\x7f\x7f')
    first = _shard_mtimes(out)
    _rerun(ref, out)
    after = _shard_mtimes(out)
    assert after['shard_00000.npy'] == first['shard_00000.npy']
    assert after['shard_00001.npy'] != first['shard_00001.npy']
    _assert_like_reference(ref, out)


def test_nan_teacher_checkpoint_refused(ref, tmp_path):
    bad = str(tmp_path / 'nan_teacher.pth')
    state = torch.load(ref['ckpt'])['state_dict']
    state = {k: v.float() * float('nan') if v.is_floating_point() else v
             for k, v in state.items()}
    torch.save({'state_dict': state}, bad)
    out = str(tmp_path / 'store')
    with pytest.raises(NonFiniteFeaturesError) as err:
        extract(ref['videos'], bad, out)
    assert bad in str(err.value) and '.mp4' in str(err.value)
    assert not [f for f in os.listdir(out) if f.endswith('.npy')]
    assert not osp.exists(osp.join(out, 'manifest.json'))


def _patch_teacher(monkeypatch, scale=None, nan_call=None):
    real = writer.build_teacher
    calls = []

    def build(cfg, device):
        teacher, pre = real(cfg, device)

        class Wrapped(torch.nn.Module):
            tap, feat_dim = teacher.tap, teacher.feat_dim

            def forward(self, x):
                calls.append(1)
                y = teacher(x)
                if nan_call is not None and len(calls) == nan_call:
                    y = y * float('nan')
                return y if scale is None else y * scale

        return Wrapped(), pre

    monkeypatch.setattr(writer, 'build_teacher', build)


def test_nan_mid_extraction_keeps_written_shards(ref, tmp_path,
                                                 monkeypatch):
    out = str(tmp_path / 'store')
    _patch_teacher(monkeypatch, nan_call=4)  # sample 3, in shard 1
    with pytest.raises(NonFiniteFeaturesError) as err:
        extract(ref['videos'], ref['ckpt'], out, batch_size=1)
    key = TeacherFeatureStore(ref['out']).keys[3]
    assert key in str(err.value) and ref['ckpt'] in str(err.value)
    written = _shard_mtimes(out)
    assert set(written) == {'shard_00000.npy', 'shard_00000.json'}
    monkeypatch.undo()
    _rerun(ref, out)
    assert _shard_mtimes(out)['shard_00000.npy'] == written[
        'shard_00000.npy']
    _assert_like_reference(ref, out)


def test_float16_overflow_refused(ref, tmp_path, monkeypatch):
    out = str(tmp_path / 'store')
    _patch_teacher(monkeypatch, scale=1e9)
    with pytest.raises(NonFiniteFeaturesError, match='float16') as err:
        extract(ref['videos'], ref['ckpt'], out, dtype='float16')
    assert ref['ckpt'] in str(err.value)
    assert not osp.exists(osp.join(out, 'shard_00000.npy'))
