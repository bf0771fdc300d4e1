"""The teacher's own domain: disjoint from every student video and label."""
import hashlib

import numpy as np
import pytest

from tools.data.make_synthetic_videos import (main, make_synthetic_dataset,
                                              make_teacher_dataset)
from tools.data.video_files import read_video
from tools.synthetic_demo.render import MOTIONS, class_names
from tools.synthetic_demo.teacher_domain import (TEACHER_MOTIONS,
                                                 TEACHER_NUM_CLASSES,
                                                 render_teacher_clip,
                                                 teacher_class_names,
                                                 teacher_clip_rng)


def _frame_hashes(data, split_names=('train', 'val', 'test')):
    hashes = {}
    for split in split_names:
        ann = data.get(f'{split}_ann')
        if ann is None:
            continue
        for line in open(ann):
            path = f'{data["video_dir"]}/{line.split()[0]}'
            for t, frame in enumerate(read_video(path)):
                hashes[hashlib.sha256(frame.tobytes()).hexdigest()] = (path,
                                                                       t)
    return hashes


def test_no_teacher_video_or_frame_is_a_student_one(tmp_path):
    """Same data seed, every split of both sides, both student columns:
    no decoded teacher frame equals a student frame, no path or class
    name is shared, and the teacher's classes are more than the students'."""
    teacher = make_teacher_dataset(
        str(tmp_path / 'teacher'), videos_per_class_train=2,
        videos_per_class_val=1, videos_per_class_test=1, num_frames=20)
    students = [
        make_synthetic_dataset(
            str(tmp_path / name), videos_per_class_train=3,
            videos_per_class_val=1, videos_per_class_test=1, num_frames=20,
            static_cue=0.0, **cue)
        for name, cue in (('cue', dict(cue_strength=1.0)), ('null', {}))
    ]
    teacher_frames = _frame_hashes(teacher)
    assert len(teacher_frames) == teacher['num_frames'] * (
        teacher['num_train'] + teacher['num_val'] + teacher['num_test'])
    for data in students:
        shared = set(teacher_frames) & set(_frame_hashes(data))
        assert not shared, [teacher_frames[h] for h in list(shared)[:3]]
        lines = {
            line.split()[0]
            for split in ('train', 'val', 'test')
            for line in open(data[f'{split}_ann'])
        }
        teacher_lines = {
            line.split()[0]
            for split in ('train', 'val', 'test')
            for line in open(teacher[f'{split}_ann'])
        }
        assert not lines & teacher_lines
    assert not set(teacher['classes']) & set(class_names(6))
    assert teacher['num_classes'] == TEACHER_NUM_CLASSES > 6


def test_teacher_streams_differ_from_the_students():
    for key in ((0, 0, 0, 0), (3, 1, 2, 5)):
        seed, split, label, idx = key
        student = np.random.default_rng([seed, split, label, idx])
        cue = np.random.default_rng([seed, split, label, idx, 1])
        teacher = teacher_clip_rng(seed, split, label, idx)
        draws = [g.random(8) for g in (student, cue, teacher)]
        assert not np.allclose(draws[2], draws[0])
        assert not np.allclose(draws[2], draws[1])


def test_no_teacher_class_is_a_student_motion():
    """Every teacher class moves diagonally, or spins while translating, or
    spins fast: none is an axis translation without spin or a slow spin
    in place (the students' classes)."""
    student = {(tuple(p), 0) if kind == 'translate' else (None, int(p))
               for _, kind, p in MOTIONS[:6]}
    for name, direction, spin, speed in TEACHER_MOTIONS:
        assert (direction, spin) not in student or speed is not None, name
        if direction is None:
            assert spin and speed[0] > 10, name  # fast spins only
        elif spin == 0:
            assert all(abs(v) > 0.5 for v in direction), name  # diagonal


@pytest.mark.parametrize('label', range(TEACHER_NUM_CLASSES))
def test_render_teacher_clip_moves_as_its_class(label):
    frames, meta = render_teacher_clip(label, 16, 32, 32,
                                       np.random.default_rng(label))
    assert frames.shape == (16, 32, 32, 3) and frames.dtype == np.uint8
    _, direction, spin, speed = TEACHER_MOTIONS[label]
    assert meta['class_name'] == teacher_class_names()[label]
    if direction is None:
        assert meta['velocity'] == (0.0, 0.0)
    else:
        assert np.sign(meta['velocity']).tolist() == np.sign(
            direction).tolist()
    omega = np.rad2deg(meta['angular_velocity'])
    assert np.sign(omega) == spin
    if spin:
        assert speed[0] <= abs(omega) <= speed[1]
    again, _ = render_teacher_clip(label, 16, 32, 32,
                                   np.random.default_rng(label))
    np.testing.assert_array_equal(frames, again)


def test_teacher_clip_label_out_of_range():
    with pytest.raises(ValueError, match='label must be in'):
        render_teacher_clip(TEACHER_NUM_CLASSES)


def test_cli_writes_the_teacher_domain(tmp_path, capsys):
    info = main(['--out', str(tmp_path), '--domain', 'teacher',
                 '--videos-per-class-train', '1', '--videos-per-class-val',
                 '1', '--videos-per-class-test', '1', '--frames', '16'])
    assert 'teacher domain' in capsys.readouterr().out
    assert info['num_train'] == info['num_test'] == TEACHER_NUM_CLASSES
    assert open(tmp_path / 'classes.txt').read().split() == \
        teacher_class_names()
