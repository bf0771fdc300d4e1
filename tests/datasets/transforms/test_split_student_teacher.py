"""Tests for SplitStudentTeacher."""
import numpy as np
import pytest

import hallucinet_mm  # noqa: F401
from hallucinet_mm.datasets.transforms import (SingleFrameSampler,
                                               SplitStudentTeacher)


def _frames(num, height=24, width=32):
    """Frame i has value i and a bright left column (to see flips)."""
    frames = []
    for i in range(num):
        img = np.full((height, width, 3), i, np.uint8)
        img[:, 0] = 255
        frames.append(img)
    return frames


def _sample(total=40, **sampler_kwargs):
    results = SingleFrameSampler(**sampler_kwargs)(
        dict(total_frames=total, start_index=0, filename='v'))
    results['imgs'] = [_frames(total)[i] for i in results['frame_inds']]
    return results


def test_split_sizes_and_values():
    split = SplitStudentTeacher(
        student_pipeline=[dict(type='Resize', scale=(20, 20),
                               keep_ratio=False)],
        teacher_pipeline=[dict(type='CenterCrop', crop_size=8)])
    out = split(_sample())
    assert len(out['imgs']) == 1 and out['imgs'][0].shape == (20, 20, 3)
    assert out['img_shape'] == (20, 20)
    teacher = out['teacher_imgs']
    assert teacher.shape == (1, 3, 16, 8, 8) and teacher.dtype == np.float32
    # Teacher frame t of the clip is video frame 20 + t.
    assert teacher[0, 0, :, 4, 4].tolist() == list(range(20, 36))
    # The student's frame is video frame 20 (interior pixels).
    assert out['imgs'][0][10, 10, 0] == 20
    assert out['flip'] is False


def test_one_flip_decision_for_both():
    split = SplitStudentTeacher(flip_ratio=1.0)
    out = split(_sample())
    # Bright column moved from the left edge to the right edge in both.
    assert out['imgs'][0][:, -1, 0].min() == 255
    assert out['imgs'][0][:, 0, 0].max() < 255
    teacher = out['teacher_imgs']
    assert (teacher[0, :, :, :, -1] == 255).all()
    assert (teacher[0, :, :, :, 0] < 255).all()
    assert out['flip'] is True


def test_flip_decisions_agree_over_many_samples():
    np.random.seed(0)
    split = SplitStudentTeacher(flip_ratio=0.5)
    flips = []
    for _ in range(40):
        out = split(_sample())
        student_flipped = out['imgs'][0][0, -1, 0] == 255
        teacher_flipped = out['teacher_imgs'][0, 0, 0, 0, -1] == 255
        assert student_flipped == teacher_flipped == out['flip']
        flips.append(out['flip'])
    assert 0 < sum(flips) < 40


def test_student_only_when_no_teacher_clip():
    out = SplitStudentTeacher()(_sample(with_teacher=False))
    assert 'teacher_imgs' not in out
    assert len(out['imgs']) == 1


def test_invalid_flip_ratio():
    with pytest.raises(ValueError, match='flip_ratio'):
        SplitStudentTeacher(flip_ratio=1.5)
