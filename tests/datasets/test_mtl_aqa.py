# Copyright (c) hallucinet_mm contributors. All rights reserved.
import os
import os.path as osp
import pickle
import shutil
import sys

import numpy as np
import pytest

import hallucinet_mm  # noqa: F401  (applies the compat fix first)
from hallucinet_mm.datasets import MTLAQADataset
from hallucinet_mm.utils import UnsafePickleError
from mmaction.datasets.transforms import PackActionInputs, RawFrameDecode
from mmaction.registry import DATASETS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)
from tools.data.make_synthetic_mtl_aqa import (  # noqa: E402
    GAP, make_synthetic_mtl_aqa)

FIELDS = ('position', 'armstand', 'rotation_type', 'ss_no', 'tw_no')


@pytest.fixture(scope='module')
def fixture_dir(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('mtl_aqa'))
    make_synthetic_mtl_aqa(out, frames_per_dive=(10, 14), seed=1)
    return out


@pytest.fixture
def data_dir(fixture_dir, tmp_path):
    """A private copy of the fixture, free to corrupt."""
    out = str(tmp_path / 'data')
    shutil.copytree(fixture_dir, out)
    return out


def _build(data_root, split='train_split_0.pkl', **kwargs):
    cfg = dict(
        type='MTLAQADataset',
        ann_file=split,
        annotation_file='final_annotations_dict.pkl',
        data_root=data_root,
        data_prefix=dict(video='whole_videos_frames'),
        pipeline=[])
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def _load(path):
    with open(path, 'rb') as f:
        return pickle.load(f)


def _dump(path, obj):
    with open(path, 'wb') as f:
        pickle.dump(obj, f)


def _edit_annotation(data_root, key, **values):
    path = osp.join(data_root, 'final_annotations_dict.pkl')
    anns = _load(path)
    anns[key].update(values)
    _dump(path, anns)


def test_generator_layout(fixture_dir):
    anns = _load(osp.join(fixture_dir, 'final_annotations_dict.pkl'))
    train = _load(osp.join(fixture_dir, 'train_split_0.pkl'))
    test = _load(osp.join(fixture_dir, 'test_split_0.pkl'))
    assert len(anns) == 8 and len(train) == 6 and len(test) == 2
    assert set(train) | set(test) == set(anns)
    assert not set(train) & set(test)
    ann = anns[(1, 1)]
    assert ann['start_frame'] == GAP
    assert set(FIELDS) <= set(ann)
    frames = sorted(os.listdir(osp.join(fixture_dir, 'whole_videos_frames',
                                        '01')))
    assert frames[0] == '000001.jpg'
    last = max(a['end_frame'] for k, a in anns.items() if k[0] == 1)
    assert len(frames) == last + 1 + GAP


def test_loads_fixture(fixture_dir):
    train = _build(fixture_dir)
    test = _build(fixture_dir, 'test_split_0.pkl', test_mode=True)
    assert len(train) == 6 and len(test) == 2
    anns = _load(osp.join(fixture_dir, 'final_annotations_dict.pkl'))
    split = _load(osp.join(fixture_dir, 'train_split_0.pkl'))
    for idx, key in enumerate(split):
        info = train.get_data_info(idx)
        ann = anns[key]
        assert info['key'] == key
        assert info['key_str'] == f'{key[0]:02d}_{key[1]:02d}'
        assert info['start_index'] == 1
        assert info['filename_tmpl'] == '{:06d}.jpg'
        assert info['frame_dir'] == osp.join(fixture_dir,
                                             'whole_videos_frames',
                                             f'{key[0]:02d}')
        assert info['total_frames'] == len(os.listdir(info['frame_dir']))
        assert info['start_frame'] == ann['start_frame']
        assert info['end_frame'] == ann['end_frame']
        assert info['dive_labels'].dtype == np.int64
        assert info['dive_labels'].tolist() == [ann[f] for f in FIELDS]
        assert info['final_score'] == ann['final_score']
        assert info['difficulty'] == ann['difficulty']
        assert 'label' not in info
    assert train.metainfo['dive_fields'] == FIELDS


def test_frame_numbers_map_to_files(fixture_dir):
    """Frame f is file f + 1: the dive's first frame shows the diver."""
    info = _build(fixture_dir).get_data_info(0)
    s = info['start_frame']
    inds = np.array([s - 1, s]) + info['start_index']
    imgs = RawFrameDecode()(dict(info, frame_inds=inds))['imgs']
    idle, first = imgs[0].astype(int), imgs[1].astype(int)
    assert idle.max() < 60  # background + noise only
    assert first.max() > 100  # the falling square


def test_pipeline_packs_ground_truth(fixture_dir):
    pipeline = [
        PackActionInputs(
            collect_keys=(),
            algorithm_keys=('dive_labels', 'final_score'),
            meta_keys=('key_str', ))
    ]
    sample = _build(fixture_dir, pipeline=pipeline)[0]['data_samples']
    assert sample.dive_labels.shape == (5, )
    assert isinstance(sample.final_score, float)
    assert sample.metainfo['key_str'] == '01_01'


def test_refuses_unsafe_pickle(data_dir):
    path = osp.join(data_dir, 'final_annotations_dict.pkl')
    anns = _load(path)
    anns[(1, 1)]['difficulty'] = np.float64(2.0)
    _dump(path, anns)
    with pytest.raises(UnsafePickleError,
                       match='final_annotations_dict.pkl.*numpy'):
        _build(data_dir)


@pytest.mark.parametrize('values,match', [
    (dict(position=3), 'position=3'),
    (dict(armstand=-1), 'armstand'),
    (dict(rotation_type=4), 'rotation_type'),
    (dict(ss_no=1.0), 'ss_no'),
    (dict(tw_no=8), 'tw_no'),
    (dict(final_score=105.0), 'final_score'),
    (dict(difficulty=0.5), 'difficulty'),
    (dict(start_frame=-1), 'start_frame'),
    (dict(start_frame=50, end_frame=40), 'start_frame=50 > end_frame=40'),
])
def test_invalid_annotation_names_key(data_dir, values, match):
    _edit_annotation(data_dir, (1, 2), **values)
    with pytest.raises(ValueError, match=r'\(1, 2\)') as exc:
        _build(data_dir)
    assert match in str(exc.value)


def test_missing_annotation_field_names_key(data_dir):
    path = osp.join(data_dir, 'final_annotations_dict.pkl')
    anns = _load(path)
    del anns[(2, 1)]['tw_no']
    _dump(path, anns)
    with pytest.raises(KeyError, match=r"\(2, 1\).*tw_no"):
        _build(data_dir)


def test_frame_range_outside_video_names_key(data_dir):
    num_frames = len(os.listdir(osp.join(data_dir, 'whole_videos_frames',
                                         '02')))
    _edit_annotation(data_dir, (2, 3), end_frame=num_frames)
    with pytest.raises(ValueError, match=r'\(2, 3\).*outside video 02'):
        _build(data_dir)
    # The last frame itself is fine.
    _edit_annotation(data_dir, (2, 3), end_frame=num_frames - 1)
    assert len(_build(data_dir)) == 6


def test_split_key_missing_from_annotations(data_dir):
    _dump(osp.join(data_dir, 'train_split_0.pkl'), [(1, 1), (9, 9)])
    with pytest.raises(KeyError, match=r'\(9, 9\)'):
        _build(data_dir)
    _dump(osp.join(data_dir, 'train_split_0.pkl'), [(1, 1), 'x'])
    with pytest.raises(ValueError, match='video_no, sample_no'):
        _build(data_dir)


def test_missing_frame_folder_names_folder_and_key(data_dir):
    shutil.rmtree(osp.join(data_dir, 'whole_videos_frames', '02'))
    with pytest.raises(FileNotFoundError,
                       match=r"whole_videos_frames/02'.*\(2, 1\)"):
        _build(data_dir)


def test_misnumbered_frames_are_refused(data_dir):
    frame_dir = osp.join(data_dir, 'whole_videos_frames', '01')
    os.remove(osp.join(frame_dir, '000001.jpg'))
    with pytest.raises(ValueError, match='000001.jpg'):
        _build(data_dir)


def test_video_mode(fixture_dir, tmp_path):
    cv2 = pytest.importorskip('cv2')
    pytest.importorskip('decord')
    video_dir = tmp_path / 'videos'
    video_dir.mkdir()
    for video_no in (1, 2):
        frame_dir = osp.join(fixture_dir, 'whole_videos_frames',
                             f'{video_no:02d}')
        names = sorted(os.listdir(frame_dir))
        writer = cv2.VideoWriter(
            str(video_dir / f'{video_no:02d}.mp4'),
            cv2.VideoWriter_fourcc(*'mp4v'), 25, (32, 32))
        for name in names:
            writer.write(cv2.imread(osp.join(frame_dir, name)))
        writer.release()
    ds = _build(
        fixture_dir,
        frame_source='video',
        data_prefix=dict(video=str(video_dir)))
    info = ds.get_data_info(0)
    assert info['start_index'] == 0
    assert info['filename'] == str(video_dir / '01.mp4')
    assert 'frame_dir' not in info
    assert info['total_frames'] == len(
        os.listdir(osp.join(fixture_dir, 'whole_videos_frames', '01')))


def test_invalid_arguments(fixture_dir):
    with pytest.raises(ValueError, match='frame_source'):
        _build(fixture_dir, frame_source='flow')
    with pytest.raises(ValueError, match='multi_class'):
        _build(fixture_dir, multi_class=True, num_classes=3)
    with pytest.raises(FileNotFoundError, match='nope.pkl'):
        _build(fixture_dir, annotation_file='nope.pkl')
    assert MTLAQADataset.VALUE_RANGES['final_score'] == (0.0, 104.5)
