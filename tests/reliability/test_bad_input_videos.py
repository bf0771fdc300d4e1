"""Bad videos and frame folders: each error names the video or frame file.

Kinds tried here: zeroed bytes mid-file (fails while decoding), a width
decord misreads (24 px), a truncated mp4, a zero-byte mp4, a video too
short for padding to make sense, a short video that is padded (warned
once, then counted), a missing frame file, a frame file that is no image.
"""
import os

import numpy as np
import pytest

import hallucinet_mm  # noqa: F401  (registers the transforms)
from hallucinet_mm.datasets.transforms import checked_loading
from hallucinet_mm.datasets.transforms.checked_loading import (
    CheckedDecordDecode, CheckedDecordInit, CheckedRawFrameDecode,
    TeacherWindowPolicy, VideoReadError)
from hallucinet_mm.datasets.transforms.frame_samplers import (
    SingleFrameSampler, VideoTooShortError)
from bad_input_helpers import digest, tiny_video, truncate, zero_middle


def _decode(path, **decode_kwargs):
    """Open, sample a 16-frame teacher clip at the centre, decode."""
    results = CheckedDecordInit()(dict(filename=str(path)))
    results = SingleFrameSampler(clip_len=16, test_mode=True)(results)
    return CheckedDecordDecode(**decode_kwargs)(results)


@pytest.fixture
def log(monkeypatch):
    """Records what the transforms log, and resets the padded count."""
    messages = []
    monkeypatch.setattr(checked_loading, 'print_log',
                        lambda msg, **kwargs: messages.append(msg))
    monkeypatch.setattr(TeacherWindowPolicy, 'padded_count', 0)
    return messages


def test_good_video_decodes(tmp_path, log):
    results = _decode(tiny_video(tmp_path / 'ok.mp4'))
    assert len(results['imgs']) == 16 and results['imgs'][0].shape == (32,
                                                                        32, 3)
    assert log == []  # 24 frames cover the 16-frame window


def test_zeroed_bytes_mid_file_name_the_video(tmp_path):
    path = zero_middle(tiny_video(tmp_path / 'zeroed.mp4'))
    with pytest.raises(VideoReadError) as info:
        _decode(path)
    msg = str(info.value)
    assert msg.startswith('cannot decode frames [') and path in msg
    assert '\n' not in msg


def test_width_decord_misreads_names_the_video(tmp_path):
    path = tiny_video(tmp_path / 'narrow.mp4', width=24)
    with pytest.raises(VideoReadError) as info:
        _decode(path)
    assert path in str(info.value)
    assert 'misreads some frame widths' in str(info.value)


def test_four_channel_frames_are_refused(tmp_path, monkeypatch):
    """Decord returning RGBA for one frame (no exception) is caught too."""
    path = tiny_video(tmp_path / 'rgba.mp4')

    def rgba(self, container, frame_inds):
        return [np.zeros((32, 24, 4), np.uint8) for _ in frame_inds]

    monkeypatch.setattr(CheckedDecordDecode, '_decord_load_frames', rgba)
    with pytest.raises(VideoReadError, match=f'video {path} to frames of'):
        _decode(path)


@pytest.mark.parametrize('damage', ['truncated', 'zero-bytes'])
def test_unopenable_video_names_the_video(tmp_path, damage):
    path = tiny_video(tmp_path / f'{damage}.mp4')
    truncate(path, 0.5 if damage == 'truncated' else 0)
    with pytest.raises(VideoReadError, match=f'cannot read video {path}: '):
        _decode(path)


def test_too_short_for_padding_is_refused(tmp_path, log):
    path = tiny_video(tmp_path / 'one_frame.mp4', num_frames=1)
    with pytest.raises(VideoTooShortError) as info:
        _decode(path)
    assert str(info.value).startswith(f'{path}: 1 frames, fewer than 8 ')
    # The documented minimum can be lowered explicitly.
    assert len(_decode(path, min_teacher_frames=1)['imgs']) == 1
    assert TeacherWindowPolicy.padded_count == 1


def test_padding_warns_once_then_counts(tmp_path, log):
    first = tiny_video(tmp_path / 'short_a.mp4', num_frames=12)
    second = tiny_video(tmp_path / 'short_b.mp4', num_frames=10)
    results = _decode(first)
    # 12 real frames; the teacher clip repeats the last one 4 times.
    teacher = results['frame_inds'][results['teacher_frame_pos'][0]]
    assert teacher.tolist() == list(range(12)) + [11] * 4
    assert len(log) == 1 and log[0].startswith(f'{first}: 12 frames')
    for _ in range(9):
        _decode(second)
    assert TeacherWindowPolicy.padded_count == 10
    assert len(log) == 2 and log[1].startswith('10 samples so far')
    assert second not in ' '.join(log)  # named once per process only


def test_min_teacher_frames_field_is_checked():
    with pytest.raises(ValueError, match='min_teacher_frames must be >= 1'):
        CheckedDecordDecode(min_teacher_frames=0)


def _frame_dir(tmp_path, num_frames=20):
    import cv2
    frame_dir = tmp_path / 'frames'
    frame_dir.mkdir()
    for i in range(1, num_frames + 1):
        cv2.imwrite(str(frame_dir / f'img_{i:05d}.jpg'),
                    np.full((32, 32, 3), i, np.uint8))
    return frame_dir


def _rawframes(frame_dir, num_frames=20):
    results = dict(frame_dir=str(frame_dir), total_frames=num_frames,
                   filename_tmpl='img_{:05d}.jpg', modality='RGB',
                   start_index=1)
    results = SingleFrameSampler(clip_len=16, test_mode=True)(results)
    return CheckedRawFrameDecode()(results)


@pytest.mark.parametrize('damage', ['missing', 'text', 'zero-bytes'])
def test_bad_frame_file_is_named(tmp_path, damage):
    frame_dir = _frame_dir(tmp_path)
    assert len(_rawframes(frame_dir)['imgs']) == 16
    bad = frame_dir / 'img_00012.jpg'  # inside the decoded clip
    if damage == 'missing':
        os.remove(bad)
    else:
        bad.write_text('not a jpeg' if damage == 'text' else '')
    others = digest(frame_dir / 'img_00011.jpg')
    with pytest.raises(VideoReadError, match=str(bad)):
        _rawframes(frame_dir)
    assert digest(frame_dir / 'img_00011.jpg') == others
