"""Tests for the student/teacher frame samplers."""
import numpy as np
import pytest

import hallucinet_mm  # noqa: F401
from hallucinet_mm.datasets.transforms import (DiveFrameSampler,
                                               PairFrameSampler,
                                               SingleFrameSampler,
                                               VideoTooShortError,
                                               teacher_clip_indices)


def _decoded(results):
    """Frame numbers as decoded, then mapped back through the positions."""
    frames = results['frame_inds'] - results.get('start_index', 0)
    student = frames[results['student_frame_pos']]
    teacher = frames[results['teacher_frame_pos']] if \
        'teacher_frame_pos' in results else None
    return student, teacher


@pytest.mark.parametrize('total, student, teacher', [
    (40, 20, list(range(20, 36))),
    (16, 8, list(range(0, 16))),
    (5, 2, [0, 1, 2, 3, 4] + [4] * 11),
])
def test_single_frame_centre_indices(total, student, teacher):
    sampler = SingleFrameSampler(clip_len=16)
    results = sampler(dict(total_frames=total, start_index=0, filename='v'))
    s, t = _decoded(results)
    assert s.tolist() == [student]
    assert t.tolist() == [teacher]
    # One decode call: sorted unique indices cover both.
    assert results['frame_inds'].tolist() == sorted(set(teacher) | {student})
    assert results['num_clips'] == 1 and results['clip_len'] == 1


def test_teacher_clip_moved_back_and_padded():
    # 40 frames, clip from 30 would end at 45: moved back to 24..39.
    assert teacher_clip_indices(30, 40, 16, 1).tolist() == list(range(24, 40))
    # frame_interval 2: span 31, from 20 -> moved back to 9.
    assert teacher_clip_indices(20, 40, 16, 2).tolist() == list(
        range(9, 40, 2))
    # Shorter than the clip: from 0, last frame repeated.
    assert teacher_clip_indices(3, 5, 8, 1).tolist() == [0, 1, 2, 3, 4, 4, 4, 4]


def test_start_index_is_added():
    results = SingleFrameSampler()(
        dict(total_frames=40, start_index=1, frame_dir='d'))
    assert results['frame_inds'][0] == 21  # frame 20 stored as img_00021
    s, _ = _decoded(results)
    assert s.tolist() == [20]


def test_without_teacher_decodes_one_frame():
    results = SingleFrameSampler(with_teacher=False)(
        dict(total_frames=40, start_index=0, filename='v'))
    assert results['frame_inds'].tolist() == [20]
    assert 'teacher_frame_pos' not in results


def test_random_mode_uses_every_frame_and_test_mode_is_centre():
    np.random.seed(0)
    sampler = SingleFrameSampler(mode='random')
    seen = set()
    for _ in range(300):
        r = sampler(dict(total_frames=5, start_index=0, filename='v'))
        s, t = _decoded(r)
        seen.add(int(s[0]))
        assert s[0] in t  # the student frame lies in its teacher clip
    assert seen == set(range(5))
    test_sampler = SingleFrameSampler(mode='random', test_mode=True)
    r = test_sampler(dict(total_frames=40, start_index=0, filename='v'))
    assert _decoded(r)[0].tolist() == [20]


def test_pair_sampler_indices():
    r = PairFrameSampler(pair_offset=3)(
        dict(total_frames=40, start_index=0, filename='v'))
    s, t = _decoded(r)
    assert s.tolist() == [20, 23]
    assert t.tolist() == [list(range(20, 36))]
    # Near the end the pair moves back so that j + k is inside the video.
    r = PairFrameSampler(pair_offset=3)(
        dict(total_frames=5, start_index=0, filename='v'))
    assert _decoded(r)[0].tolist() == [1, 4]


def test_too_short_video_names_the_file():
    with pytest.raises(VideoTooShortError, match='clip_a.mp4'):
        PairFrameSampler(pair_offset=3)(
            dict(total_frames=3, start_index=0, filename='clip_a.mp4'))
    with pytest.raises(VideoTooShortError, match='empty.mp4'):
        SingleFrameSampler()(
            dict(total_frames=0, start_index=0, filename='empty.mp4'))


def test_dive_sampler_window():
    sampler = DiveFrameSampler(test_mode=True)
    r = sampler(
        dict(total_frames=300, start_index=0, end_frame=200, frame_dir='d'))
    s, t = _decoded(r)
    start = 200 - 103 + 1
    assert s.tolist() == [start + 16 * i for i in range(6)]
    assert t.shape == (6, 16)
    for anchor, clip in zip(s, t):
        assert clip.tolist() == list(range(anchor, anchor + 16))


def test_dive_sampler_jitter_and_pairs():
    np.random.seed(1)
    sampler = DiveFrameSampler(jitter=3)
    starts = set()
    for _ in range(200):
        r = sampler(
            dict(total_frames=300, start_index=0, end_frame=200,
                 frame_dir='d'))
        starts.add(int(_decoded(r)[0][0]))
    assert starts == set(range(98 - 3, 98 + 4))
    pair = DiveFrameSampler(pair_offset=3, test_mode=True)
    r = pair(dict(total_frames=300, start_index=0, end_frame=200,
                  frame_dir='d'))
    s, t = _decoded(r)
    assert s.tolist()[:4] == [98, 101, 114, 117]
    assert t.shape == (6, 16) and t[1, 0] == 114


@pytest.mark.parametrize('kwargs', [
    dict(clip_len=0), dict(frame_interval=0), dict(pair_offset=0)
])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError):
        SingleFrameSampler(**kwargs)
    with pytest.raises(ValueError, match='mode'):
        SingleFrameSampler(mode='middle')
