"""Tests for hallucinet_mm/datasets/checked_datasets.py."""
import os.path as osp

import pytest
import torch
from mmaction.registry import DATASETS
from mmengine.registry import DefaultScope

import hallucinet_mm  # noqa: F401  (registers the datasets)
from hallucinet_mm.datasets.checked_datasets import (AnnotationError,
                                                     CheckedRawframeDataset,
                                                     CheckedVideoDataset)
from hallucinet_mm.datasets.transforms.checked_loading import VideoReadError
from tools.data.video_files import write_corrupt_video

VIDEO_PIPELINE = [
    dict(type='CheckedDecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=1, num_clips=1,
         test_mode=True),
    dict(type='DecordDecode'),
]


@pytest.fixture(autouse=True)
def mmaction_scope():
    """Pipelines name MMAction2 transforms (SampleFrames, ...)."""
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield


def _write(path, lines):
    path.write_text(''.join(line + '\n' for line in lines))
    return str(path)


def _video_dataset(ann_file, video_dir, **kwargs):
    kwargs.setdefault('pipeline', [])
    return CheckedVideoDataset(
        ann_file=ann_file, data_prefix=dict(video=video_dir), **kwargs)


def _rawframe_dataset(ann_file, frame_dir, **kwargs):
    kwargs.setdefault('pipeline', [])
    return CheckedRawframeDataset(
        ann_file=ann_file, data_prefix=dict(img=frame_dir), **kwargs)


# ------------------------------------------------------------- video


def _missing_files_error(tmp_path, build, data_dir, lines):
    """Loads a list of these lines; returns it and the FileNotFoundError."""
    ann = _write(tmp_path / 'list.txt', lines)
    with pytest.raises(FileNotFoundError) as info:
        build(ann, data_dir)
    return ann, str(info.value)


def test_video_dataset_loads_synthetic_list(synthetic_videos):
    info = synthetic_videos
    dataset = DATASETS.build(
        dict(type='CheckedVideoDataset', ann_file=info['train_ann'],
             data_prefix=dict(video=info['video_dir']),
             pipeline=VIDEO_PIPELINE, num_classes=info['num_classes']))
    assert len(dataset) == info['num_train']
    first = dataset.get_data_info(0)
    assert first['filename'] == osp.join(info['video_dir'],
                                         'train/move_right_0000.mp4')
    assert first['label'] == 0
    labels = [dataset.get_data_info(i)['label'] for i in range(len(dataset))]
    assert sorted(set(labels)) == list(range(info['num_classes']))
    # Decodes end to end through the checked transform.
    sample = dataset[1]
    assert sample['total_frames'] == info['num_frames']
    assert len(sample['imgs']) == 4
    assert sample['imgs'][0].shape == (32, 32, 3)
    assert sample['label'] == 1


def test_video_dataset_blank_lines_and_no_labels(synthetic_videos,
                                                 tmp_path):
    ann = _write(tmp_path / 'list.txt', [
        'train/move_right_0000.mp4 0', '', '   ', 'val/move_left_0000.mp4 1'
    ])
    dataset = _video_dataset(ann, synthetic_videos['video_dir'])
    assert len(dataset) == 2
    assert dataset.get_data_info(1)['ann_lineno'] == 4  # physical line
    # A labeled list never turns a missing label into -1.
    ann = _write(tmp_path / 'nolabel.txt', [
        'train/move_right_0000.mp4 0', '', 'val/move_left_0000.mp4'
    ])
    with pytest.raises(AnnotationError, match=f'^{ann}:3: no label in'):
        _video_dataset(ann, synthetic_videos['video_dir'])


def test_missing_video_is_reported_at_load_time(synthetic_videos, tmp_path):
    ann, msg = _missing_files_error(
        tmp_path, _video_dataset, synthetic_videos['video_dir'],
        ['train/move_right_0000.mp4 0', 'train/no_such_video.mp4 1'])
    assert ann in msg
    assert osp.join(synthetic_videos['video_dir'],
                    'train/no_such_video.mp4') in msg
    assert '1 filename entries do not exist' in msg
    assert 'move_right_0000' not in msg


def test_many_missing_videos_are_summarised(tmp_path):
    _, msg = _missing_files_error(tmp_path, _video_dataset, str(tmp_path),
                                  [f'v{i}.mp4 0' for i in range(8)])
    assert '8 filename entries do not exist' in msg
    assert 'v4.mp4' in msg and 'v5.mp4' not in msg
    assert 'and 3 more' in msg


def test_missing_video_without_check_fails_when_read(synthetic_videos,
                                                     tmp_path):
    ann = _write(tmp_path / 'list.txt', ['train/no_such_video.mp4 1'])
    dataset = _video_dataset(
        ann, synthetic_videos['video_dir'], check_files=False,
        pipeline=VIDEO_PIPELINE)
    assert len(dataset) == 1
    with pytest.raises(VideoReadError) as info:
        dataset[0]
    missing = osp.join(synthetic_videos['video_dir'],
                       'train/no_such_video.mp4')
    assert str(info.value) == f'video file not found: {missing}'


def test_corrupt_video_is_reported_when_read(tmp_path):
    write_corrupt_video(str(tmp_path / 'videos' / 'bad.mp4'))
    ann = _write(tmp_path / 'list.txt', ['bad.mp4 0'])
    dataset = _video_dataset(ann, str(tmp_path / 'videos'),
                             pipeline=VIDEO_PIPELINE)  # the file exists
    with pytest.raises(VideoReadError) as info:
        dataset[0]
    assert str(tmp_path / 'videos' / 'bad.mp4') in str(info.value)
    assert str(info.value).startswith('cannot read video ')


@pytest.mark.parametrize('line, expected', [
    ('b.mp4 x', 'labels must be integers'),
    ('b.mp4 1.5', 'labels must be integers'),
    ('b.mp4  1', 'labels must be integers'),  # two spaces: an empty field
    ('b.mp4 0 1', 'expected one label, got 2'),
    ('b.mp4 6', 'label 6 outside [0, 6)'),
    ('b.mp4 -1', 'label -1 outside [0, 6)'),
])
def test_bad_video_annotation_line(tmp_path, line, expected):
    ann = _write(tmp_path / 'list.txt', ['a.mp4 0', '', line, 'c.mp4 1'])
    with pytest.raises(AnnotationError) as info:
        _video_dataset(ann, str(tmp_path), num_classes=6, check_files=False)
    msg = str(info.value)
    assert msg.startswith(f'{ann}:3: ')  # file and (physical) line number
    assert expected in msg
    assert repr(line) in msg
    assert isinstance(info.value, ValueError)


def test_label_range_unchecked_without_num_classes(tmp_path):
    ann = _write(tmp_path / 'list.txt', ['a.mp4 99'])
    dataset = _video_dataset(ann, str(tmp_path), check_files=False)
    assert dataset.get_data_info(0)['label'] == 99
    ann = _write(tmp_path / 'neg.txt', ['a.mp4 -2'])
    with pytest.raises(AnnotationError, match=r'neg.txt:1: label -2'):
        _video_dataset(ann, str(tmp_path), check_files=False)


def test_multi_class_labels(tmp_path):
    ann = _write(tmp_path / 'list.txt', ['a.mp4 0 2', 'b.mp4 1'])
    dataset = _video_dataset(ann, str(tmp_path), check_files=False,
                             multi_class=True, num_classes=3)
    assert torch.equal(dataset.get_data_info(0)['label'],
                       torch.tensor([1., 0., 1.]))
    assert torch.equal(dataset.get_data_info(1)['label'],
                       torch.tensor([0., 1., 0.]))
    for bad in ('3', '-1'):
        ann = _write(tmp_path / 'bad.txt', ['a.mp4 0', f'b.mp4 1 {bad}'])
        with pytest.raises(AnnotationError) as info:
            _video_dataset(ann, str(tmp_path), check_files=False,
                           multi_class=True, num_classes=3)
        assert str(info.value).startswith(
            f'{ann}:2: label {bad} outside [0, 3)')


def test_missing_annotation_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        _video_dataset(str(tmp_path / 'nope.txt'), str(tmp_path))


# ---------------------------------------------------------- rawframes


def test_rawframe_dataset_loads_synthetic_list(synthetic_videos):
    info = synthetic_videos
    dataset = DATASETS.build(
        dict(type='CheckedRawframeDataset',
             ann_file=info['val_rawframes_ann'],
             data_prefix=dict(img=info['rawframe_dir']),
             num_classes=info['num_classes'],
             pipeline=[
                 dict(type='SampleFrames', clip_len=2, frame_interval=1,
                      num_clips=1, test_mode=True),
                 dict(type='RawFrameDecode'),
             ]))
    assert len(dataset) == info['num_val']
    first = dataset.get_data_info(0)
    assert first['frame_dir'] == osp.join(info['rawframe_dir'],
                                          'val/move_right_0000')
    assert first['total_frames'] == info['num_frames']
    assert first['label'] == 0
    sample = dataset[2]
    assert sample['label'] == 2
    assert len(sample['imgs']) == 2 and sample['imgs'][0].shape == (32, 32,
                                                                     3)


def test_rawframe_with_offset(synthetic_videos, tmp_path):
    ann = _write(tmp_path / 'list.txt', ['train/move_up_0001 4 10 2'])
    dataset = _rawframe_dataset(ann, synthetic_videos['rawframe_dir'],
                                with_offset=True, num_classes=6)
    data = dataset.get_data_info(0)
    assert (data['offset'], data['total_frames'], data['label']) == (4, 10,
                                                                     2)


def test_missing_frame_dir(synthetic_videos, tmp_path):
    ann, msg = _missing_files_error(
        tmp_path, _rawframe_dataset, synthetic_videos['rawframe_dir'],
        ['train/move_right_0000 24 0', 'train/no_such_dir 24 1'])
    assert ann in msg
    assert '1 frame_dir entries do not exist' in msg
    assert osp.join(synthetic_videos['rawframe_dir'],
                    'train/no_such_dir') in msg
    # A file is not a frame folder.
    ann = _write(tmp_path / 'file.txt', ['list.txt 24 0'])
    with pytest.raises(FileNotFoundError, match='list.txt'):
        _rawframe_dataset(ann, str(tmp_path))
    # Without the check, the dataset builds.
    dataset = _rawframe_dataset(ann, str(tmp_path), check_files=False)
    assert len(dataset) == 1


@pytest.mark.parametrize('line, with_offset, expected', [
    ('d x 0', False, 'frame counts must be integers'),
    ('d 2.5 0', False, 'frame counts must be integers'),
    ('d 0 0', False, 'total_frames must be >= 1'),
    ('d -3 0', False, 'total_frames must be >= 1'),
    ('d', False, 'expected "frame_dir total_frames label"'),
    ('d 1', True, 'expected "frame_dir offset total_frames label"'),
    ('d 1 0 2', True, 'total_frames must be >= 1'),
    ('d 8 a', False, 'labels must be integers'),
    ('d 8 6', False, 'label 6 outside [0, 6)'),
    ('d 8 1 2', False, 'expected one label, got 2'),
])
def test_bad_rawframe_annotation_line(tmp_path, line, with_offset,
                                      expected):
    good = 'ok 0 8 0' if with_offset else 'ok 8 0'
    ann = _write(tmp_path / 'list.txt', [good, line])
    with pytest.raises(AnnotationError) as info:
        _rawframe_dataset(ann, str(tmp_path), num_classes=6,
                          with_offset=with_offset, check_files=False)
    msg = str(info.value)
    assert msg.startswith(f'{ann}:2: ')
    assert expected in msg
    assert repr(line) in msg
