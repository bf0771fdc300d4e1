# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The teacher's own domain: the main job's analogue of Kinetics.

In the paper the 3D teacher trains on Kinetics (other videos, 400 other
classes) and never sees a UCF-101 video or label; the 2D students train on
UCF-101. The main job keeps that separation. The students' videos
(:mod:`tools.synthetic_demo.render`) show a bar that translates right, left,
up or down, or rotates clockwise or counter-clockwise about its centre (6
classes) on a dark, smooth background. The teacher's videos differ in all
of what they show:

* **Their own random stream.** A teacher clip's stream is seeded with
  ``(seed, TEACHER_STREAM, split, label, index)``; a student clip's with
  ``(seed, split, label, index)`` (and its cue with one more word). No
  teacher video or frame is a student video or frame
  (``tests/tools/synthetic_demo/test_teacher_domain.py`` checks the frames).
* **Another object:** an L (two arms at a right angle, joined at the
  corner it turns about) instead of a bar, in a uniformly random colour:
  the teacher's colour says nothing about its class, and it never sees the
  students' class-typical hues.
* **Other backgrounds:** brighter (grey level 100-150, not 40-90), finer
  texture (up to 10 cycles per frame, not 6), stronger and faster drift
  (up to 0.2 px/frame).
* **A larger, different label space (10 classes, none a student class):**
  the four diagonal translations; translation with spin (right while
  turning clockwise, left counter-clockwise, up counter-clockwise, down
  clockwise); and fast spins (15-25 degrees per frame, clockwise or
  counter-clockwise; the students' rotations turn 5-10). The students'
  pure translations along the axes and their slow rotations of a bar are
  not teacher classes, as UCF-101's classes are not Kinetics' labels.

What the teacher knows of the students' task is measured, not assumed: the
main job reports a linear probe of its frozen features fitted on the
students' labeled set and tested on their test split.
"""
import colorsys

import numpy as np

from .render import (ROTATE_SPEED, TRANSLATE_SPEED, NOISE_STD, background,
                     capsule_alpha, check_int, pose)

#: The first word of every teacher clip's random stream.
TEACHER_STREAM = 1000003

_D = 0.5**0.5
#: Teacher classes, in label order: (name, (vx, vy) unit direction or None,
#: spin: 0 none, +1 clockwise, -1 counter-clockwise, and its speed range in
#: degrees per frame).
TEACHER_MOTIONS = (
    ('diagonal_up_right', (_D, -_D), 0, None),
    ('diagonal_up_left', (-_D, -_D), 0, None),
    ('diagonal_down_right', (_D, _D), 0, None),
    ('diagonal_down_left', (-_D, _D), 0, None),
    ('right_spinning_cw', (1.0, 0.0), 1, ROTATE_SPEED),
    ('left_spinning_ccw', (-1.0, 0.0), -1, ROTATE_SPEED),
    ('up_spinning_ccw', (0.0, -1.0), -1, ROTATE_SPEED),
    ('down_spinning_cw', (0.0, 1.0), 1, ROTATE_SPEED),
    ('fast_spin_cw', None, 1, (15.0, 25.0)),
    ('fast_spin_ccw', None, -1, (15.0, 25.0)),
)
TEACHER_NUM_CLASSES = len(TEACHER_MOTIONS)
#: The teacher's backgrounds (see :func:`render.background`).
TEACHER_BACKGROUND = dict(base=(100.0, 150.0), max_freq=10, amp=(4.0, 10.0),
                          max_drift=0.2)
#: Length of each arm of the L, as a fraction of the shorter side.
ARM_LENGTH = (0.22, 0.32)


def teacher_class_names():
    """list[str]: The teacher's class names; index i is label i."""
    return [m[0] for m in TEACHER_MOTIONS]


def teacher_clip_rng(seed, split_id, label, index):
    """The random stream of one teacher clip (disjoint from the students').

    Args:
        seed (int): The data seed.
        split_id (int): 0 train, 1 val, 2 test.
        label (int): The teacher class.
        index (int): The clip's index within its class and split.

    Returns:
        np.random.Generator: The clip's stream.
    """
    return np.random.default_rng([seed, TEACHER_STREAM, split_id, label,
                                  index])


def render_teacher_clip(label, num_frames=40, height=32, width=32,
                        rng=None):
    """Renders one clip of the teacher's domain (see the module docstring).

    Args:
        label (int): Teacher class, ``0 <= label < TEACHER_NUM_CLASSES``.
        num_frames, height, width, rng: As for
            :func:`tools.synthetic_demo.render.render_clip` (T, H, W and the
            random source or seed).

    Returns:
        tuple[np.ndarray, dict]: RGB uint8 frames (T, H, W, 3) and the
        clip's parameters: ``label``, ``class_name``, ``velocity`` (px per
        frame), ``angular_velocity`` (rad per frame), ``arm``, ``color``.
    """
    check_int('label', label, 0, TEACHER_NUM_CLASSES - 1)
    check_int('num_frames', num_frames, 1)
    rng = np.random.default_rng(rng)
    side = min(height, width)
    name, direction, spin, spin_speed = TEACHER_MOTIONS[label]
    frames = background(rng, num_frames, height, width, TEACHER_BACKGROUND)
    arm = rng.uniform(*ARM_LENGTH) * side
    thickness = max(2.0, 0.08 * side)
    color = np.array(
        colorsys.hsv_to_rgb(rng.uniform(), rng.uniform(0.6, 1.0),
                            rng.uniform(0.7, 1.0)), np.float32) * 255
    corner0 = np.array([rng.uniform(0, width), rng.uniform(0, height)])
    angle0 = rng.uniform(0, 2 * np.pi)
    velocity = np.zeros(2)
    if direction is not None:
        velocity = np.array(direction) * rng.uniform(*TRANSLATE_SPEED) * side
    omega = 0.0
    if spin:
        omega = spin * np.deg2rad(rng.uniform(*spin_speed))
    t = np.arange(num_frames, dtype=np.float64)
    corners, angles = pose(corner0, angle0, velocity, omega, t, height,
                           width)
    alpha = 0.0
    for turn in (0.0, np.pi / 2):  # the two arms, from the corner out
        arm_angles = angles + turn
        centres = corners + (arm / 2) * np.stack(
            [np.cos(arm_angles), np.sin(arm_angles)], axis=1)
        alpha = np.maximum(
            alpha, capsule_alpha(centres, arm_angles, arm, thickness, height,
                                 width))
    frames = frames * (1 - alpha) + color * alpha
    frames += NOISE_STD * rng.standard_normal(frames.shape, dtype=np.float32)
    frames = np.clip(np.rint(frames), 0, 255).astype(np.uint8)
    meta = dict(label=int(label), class_name=name,
                velocity=tuple(float(v) for v in velocity),
                angular_velocity=float(omega), arm=float(arm),
                color=tuple(float(c) for c in color))
    return frames, meta
