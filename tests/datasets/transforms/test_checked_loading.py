"""Tests for hallucinet_mm/datasets/transforms/checked_loading.py."""
import os
import os.path as osp

import pytest
from mmaction.datasets.transforms import DecordInit
from mmaction.registry import TRANSFORMS

import hallucinet_mm  # noqa: F401  (registers the transform)
from hallucinet_mm.datasets.transforms.checked_loading import (
    CheckedDecordInit, VideoReadError)
from tools.data.video_files import write_corrupt_video


def _video(info, name='train/move_up_0001.mp4'):
    return osp.join(info['video_dir'], name)


def test_opens_a_good_video(synthetic_videos):
    transform = TRANSFORMS.build(dict(type='CheckedDecordInit'))
    assert isinstance(transform, CheckedDecordInit)
    assert isinstance(transform, DecordInit)
    filename = _video(synthetic_videos)
    results = transform(dict(filename=filename))
    assert results['filename'] == filename
    assert results['total_frames'] == synthetic_videos['num_frames']
    assert results['avg_fps'] == pytest.approx(25)
    frame = results['video_reader'][0].asnumpy()
    assert frame.shape == (32, 32, 3)


def test_keeps_decord_init_options(synthetic_videos):
    transform = CheckedDecordInit(io_backend='disk', num_threads=1)
    assert repr(transform) == \
        'CheckedDecordInit(io_backend=disk, num_threads=1)'
    results = transform(dict(filename=_video(synthetic_videos)))
    assert results['total_frames'] == synthetic_videos['num_frames']


def test_missing_video(tmp_path):
    filename = str(tmp_path / 'missing.mp4')
    with pytest.raises(VideoReadError) as info:
        CheckedDecordInit()(dict(filename=filename))
    assert str(info.value) == f'video file not found: {filename}'
    assert isinstance(info.value, OSError)
    assert isinstance(info.value.__cause__, FileNotFoundError)


@pytest.mark.parametrize('kind', ['corrupt', 'empty', 'text', 'directory'])
def test_unreadable_video(tmp_path, kind):
    filename = str(tmp_path / f'{kind}.mp4')
    if kind == 'corrupt':
        write_corrupt_video(filename)
    elif kind == 'empty':
        open(filename, 'wb').close()
    elif kind == 'text':
        with open(filename, 'w') as f:
            f.write('this is not a video\n' * 50)
    else:
        os.mkdir(filename)
    with pytest.raises(VideoReadError) as info:
        CheckedDecordInit()(dict(filename=filename))
    msg = str(info.value)
    assert msg.startswith(f'cannot read video {filename}: ')
    assert '\n' not in msg  # one line, whatever decord says
    assert info.value.__cause__ is not None


def test_video_without_frames(monkeypatch, tmp_path):
    def no_frames(self, results):
        results['total_frames'] = 0
        return results

    monkeypatch.setattr(DecordInit, 'transform', no_frames)
    filename = str(tmp_path / 'empty_stream.mp4')
    with pytest.raises(VideoReadError) as info:
        CheckedDecordInit()(dict(filename=filename))
    assert str(info.value) == f'video has no frames: {filename}'
