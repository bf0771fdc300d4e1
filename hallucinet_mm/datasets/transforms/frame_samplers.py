# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Frame samplers that pair student frames with the teacher's clips.

HalluciNet's student sees one frame ``F0`` (two frames ``Fj, Fj+k`` in the
two-frame variant); the teacher sees the ``clip_len`` frames that START at
that frame. A sampler here picks the student frames and, for each step, the
teacher clip, and writes the union of both as ``frame_inds`` so that ONE
decode call (``DecordDecode`` or ``RawFrameDecode``) serves both. Positions
into the decoded frames are stored for :class:`SplitStudentTeacher`.

Random choices (the random frame, the dive window's jitter) come from
:func:`~hallucinet_mm.datasets.sample_seeding.sample_rng`: in training under
``RNGStateHook`` they are a function of (seed, epoch, sample index) only,
whichever worker reads the sample, so a resumed run draws what an
uninterrupted one would.
"""
from abc import abstractmethod
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ..sample_seeding import sample_rng


class VideoTooShortError(ValueError):
    """Raised when a video has fewer frames than a sampler needs."""


def teacher_clip_indices(start: int, total_frames: int, clip_len: int,
                         frame_interval: int) -> np.ndarray:
    """Frame indices of the teacher clip that starts at ``start``.

    The clip is moved back when the video ends too early, and padded by
    repeating the last frame when the video is shorter than the clip.

    Args:
        start (int): The student's frame (0-based).
        total_frames (int): Frames in the video.
        clip_len (int): Frames in the clip.
        frame_interval (int): Temporal stride between clip frames.

    Returns:
        np.ndarray: ``clip_len`` indices in ``[0, total_frames)``.
    """
    span = (clip_len - 1) * frame_interval + 1
    start = max(0, min(start, total_frames - span))
    inds = start + np.arange(clip_len) * frame_interval
    return np.minimum(inds, total_frames - 1)


class BaseStudentTeacherSampler(BaseTransform):
    """Base class: anchors -> student frames + one teacher clip per anchor.

    Subclasses implement :meth:`_anchors`, the 0-based student frame of each
    step. With ``pair_offset=k`` every step has two student frames, ``j`` and
    ``j + k`` (in that order), and the teacher clip starts at ``j``.

    Required Keys:

        - total_frames
        - start_index (optional, defaults to 0)
        - filename or frame_dir (named in errors)

    Added Keys:

        - frame_inds: sorted unique frames to decode (with ``start_index``)
        - student_frame_pos: (num_steps * frames_per_step,) positions of the
          student frames in the decoded frames, step-major
        - teacher_frame_pos: (num_steps, clip_len) positions of each
          teacher clip in the decoded frames (only ``with_teacher=True``)
        - clip_len, frame_interval, num_clips: for MMAction2's FormatShape
          (``clip_len=1`` and ``num_clips`` = number of student frames)
        - anchor_inds: the 0-based student anchor frame of each step

    Args:
        clip_len (int): Frames in each teacher clip. Defaults to 16.
        frame_interval (int): Stride between teacher clip frames.
            Defaults to 1.
        with_teacher (bool): Whether to sample the teacher clips. Set False
            for test and inference: only the student frames are decoded.
            Defaults to True.
        pair_offset (int, optional): Offset ``k`` of the second student
            frame. Defaults to None (one frame per step).
        test_mode (bool): Deterministic sampling. Defaults to False.
    """

    def __init__(self,
                 clip_len: int = 16,
                 frame_interval: int = 1,
                 with_teacher: bool = True,
                 pair_offset: Optional[int] = None,
                 test_mode: bool = False) -> None:
        if clip_len < 1 or frame_interval < 1:
            raise ValueError('clip_len and frame_interval must be >= 1, got '
                             f'{clip_len} and {frame_interval}')
        if pair_offset is not None and pair_offset < 1:
            raise ValueError(f'pair_offset must be >= 1, got {pair_offset}')
        self.clip_len = clip_len
        self.frame_interval = frame_interval
        self.with_teacher = with_teacher
        self.pair_offset = pair_offset
        self.test_mode = test_mode

    @property
    def frames_per_step(self) -> int:
        """Student frames per step: 1, or 2 with ``pair_offset``."""
        return 1 if self.pair_offset is None else 2

    @staticmethod
    def _source(results: Dict) -> str:
        return str(results.get('filename', results.get('frame_dir', '?')))

    @abstractmethod
    def _anchors(self, results: Dict, total_frames: int) -> np.ndarray:
        """0-based student anchor frame of each step."""

    def describe_anchors(self) -> str:
        """How the anchors are chosen in test mode, in words.

        A teacher-feature store records it (its ``anchors`` field); the
        store's spec finds the sampler of a pipeline by this method.

        Returns:
            str: The policy.
        """
        return f'{type(self).__name__} in test mode'

    def _check_length(self, results: Dict, total_frames: int,
                      needed: int) -> None:
        if total_frames < needed:
            raise VideoTooShortError(
                f'{self._source(results)}: {total_frames} frames, '
                f'{type(self).__name__} needs at least {needed}')

    def transform(self, results: Dict) -> Dict:
        """Samples the student frames and teacher clips.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        total = int(results['total_frames'])
        self._check_length(results, total, 1 + (self.pair_offset or 0))
        anchors = np.asarray(self._anchors(results, total), dtype=np.int64)
        if self.pair_offset is not None:
            # Move a pair back when its second frame would leave the video.
            anchors = np.minimum(anchors, total - 1 - self.pair_offset)
            student = np.stack([anchors, anchors + self.pair_offset], 1)
            student = student.reshape(-1)
        else:
            student = anchors
        parts = [student]
        if self.with_teacher:
            clips = np.stack([
                teacher_clip_indices(a, total, self.clip_len,
                                     self.frame_interval) for a in anchors
            ])
            parts.append(clips.reshape(-1))
        unique, inverse = np.unique(np.concatenate(parts), return_inverse=True)
        start_index = results.get('start_index', 0)
        results['frame_inds'] = (unique + start_index).astype(np.int32)
        results['student_frame_pos'] = inverse[:len(student)]
        if self.with_teacher:
            results['teacher_frame_pos'] = inverse[len(student):].reshape(
                len(anchors), self.clip_len)
        results['anchor_inds'] = anchors
        results['clip_len'] = 1
        results['frame_interval'] = self.frame_interval
        results['num_clips'] = len(student)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(clip_len={self.clip_len}, '
                f'frame_interval={self.frame_interval}, '
                f'with_teacher={self.with_teacher}, '
                f'pair_offset={self.pair_offset}, '
                f'test_mode={self.test_mode})')


@TRANSFORMS.register_module()
class SingleFrameSampler(BaseStudentTeacherSampler):
    """One student frame and the teacher clip that starts at it.

    ``mode='centre'`` takes frame ``total_frames // 2`` (the UCF-101 /
    HMDB-51 "static" protocol); ``mode='random'`` draws it uniformly in
    training. In test mode the centre frame is always used.

    Args:
        mode (str): ``'centre'`` or ``'random'``. Defaults to ``'centre'``.
        **kwargs: See :class:`BaseStudentTeacherSampler`.
    """

    def __init__(self, mode: str = 'centre', **kwargs) -> None:
        if mode not in ('centre', 'random'):
            raise ValueError(f"mode must be 'centre' or 'random', got {mode}")
        super().__init__(**kwargs)
        self.mode = mode

    def _anchors(self, results: Dict, total_frames: int) -> np.ndarray:
        if self.mode == 'random' and not self.test_mode:
            return np.array([sample_rng(results).integers(total_frames)])
        return np.array([total_frames // 2])

    def describe_anchors(self) -> str:
        """The centre frame, moved back to fit a pair (see the base class).
        """
        policy = 'centre: total_frames // 2'
        if self.pair_offset is not None:
            policy += (f', moved back so that anchor + {self.pair_offset} '
                       'is in the video')
        return policy

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f', mode={self.mode})'


@TRANSFORMS.register_module()
class PairFrameSampler(SingleFrameSampler):
    """Two student frames ``j`` and ``j + k``; the teacher clip is from ``j``.

    Paper section 4.4 (two-frame HalluciNet). ``j`` is chosen as in
    :class:`SingleFrameSampler` and moved back when ``j + k`` would leave
    the video.

    Args:
        pair_offset (int): ``k``. Defaults to 3.
        **kwargs: See :class:`SingleFrameSampler`.
    """

    def __init__(self, pair_offset: int = 3, **kwargs) -> None:
        super().__init__(pair_offset=pair_offset, **kwargs)


@TRANSFORMS.register_module()
class DiveFrameSampler(BaseStudentTeacherSampler):
    """Student frames spread over a dive, each with its own teacher clip.

    The original MTL-AQA protocol: a window of ``window_len`` frames ending
    at ``end_frame`` (in training the end is jittered by up to ``jitter``
    frames each way), and ``num_steps`` student frames at offsets
    ``0, step, 2 * step, ...`` from the window's start. The window is
    clipped to the video.

    Required Keys (besides the base class's):

        - end_frame (0-based, inclusive)

    Args:
        num_steps (int): Student frames (steps of the LSTM). Defaults to 6.
        step (int): Offset between student frames. Defaults to 16.
        window_len (int): Frames in the window. Defaults to 103.
        jitter (int): Maximal training jitter of the window's end.
            Defaults to 3.
        **kwargs: See :class:`BaseStudentTeacherSampler`.
    """

    def __init__(self,
                 num_steps: int = 6,
                 step: int = 16,
                 window_len: int = 103,
                 jitter: int = 3,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if num_steps < 1 or step < 1 or jitter < 0:
            raise ValueError('num_steps and step must be >= 1 and jitter '
                             f'>= 0, got {num_steps}, {step}, {jitter}')
        if (num_steps - 1) * step >= window_len:
            raise ValueError(f'window_len={window_len} cannot hold '
                             f'{num_steps} frames {step} apart')
        self.num_steps = num_steps
        self.step = step
        self.window_len = window_len
        self.jitter = jitter

    def _anchors(self, results: Dict, total_frames: int) -> np.ndarray:
        end = int(results['end_frame'])
        if not self.test_mode and self.jitter > 0:
            end += int(
                sample_rng(results).integers(-self.jitter, self.jitter + 1))
        end = min(max(end, 0), total_frames - 1)
        start = max(0, end - self.window_len + 1)
        anchors = start + np.arange(self.num_steps) * self.step
        return np.minimum(anchors, total_frames - 1)

    def describe_anchors(self) -> str:
        """Anchors spread over the window (see the base class)."""
        return (f'dive: {self.num_steps} anchors {self.step} frames apart '
                f'from the start of the {self.window_len}-frame window '
                'ending at end_frame (no jitter), clipped to the video')

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + (
            f', num_steps={self.num_steps}, step={self.step}, '
            f'window_len={self.window_len}, jitter={self.jitter})')
