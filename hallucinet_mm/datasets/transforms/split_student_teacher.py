# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Split decoded frames into the student's frames and the teacher's clips."""
from typing import Dict, List, Optional

import numpy as np
from mmcv.transforms import BaseTransform, Compose

from mmaction.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SplitStudentTeacher(BaseTransform):
    """Splits the frames of one decode call into student and teacher inputs.

    Each side runs its own sub-pipeline of MMAction2 transforms (resize and
    crop to its own size), then ONE flip decision is applied to both, so a
    flipped student frame is always paired with a flipped teacher clip. The
    teacher clips are formatted to ``NCTHW`` with MMAction2's
    ``FormatShape``; the student frames stay a list of ``HWC`` frames in
    ``imgs`` for the main pipeline's ``FormatShape(input_format='NCHW')``.
    Without ``teacher_frame_pos`` (a sampler with ``with_teacher=False``)
    only the student side runs.

    Required Keys:

        - imgs (decoded frames, in ``frame_inds`` order)
        - student_frame_pos
        - teacher_frame_pos (optional)
        - modality (optional, defaults to 'RGB')

    Modified Keys:

        - imgs: the student frames after ``student_pipeline`` and the flip
        - img_shape

    Added Keys:

        - teacher_imgs: (num_clips, C, clip_len, H, W) float32 array
        - flip, flip_direction

    Args:
        student_pipeline (list[dict]): Transforms for the student frames,
            e.g. ``[dict(type='Resize', scale=(-1, 256)),
            dict(type='CenterCrop', crop_size=224)]``.
        teacher_pipeline (list[dict]): Transforms for the teacher clips,
            e.g. ``[dict(type='Resize', scale=(171, 128), keep_ratio=False),
            dict(type='CenterCrop', crop_size=112)]``.
        flip_ratio (float): Probability of flipping both horizontally.
            Defaults to 0.
    """

    def __init__(self,
                 student_pipeline: Optional[List[dict]] = None,
                 teacher_pipeline: Optional[List[dict]] = None,
                 flip_ratio: float = 0.0) -> None:
        if not 0 <= flip_ratio <= 1:
            raise ValueError(f'flip_ratio must be in [0, 1], got {flip_ratio}')
        self.student_pipeline = self._compose(student_pipeline)
        self.teacher_pipeline = self._compose(teacher_pipeline)
        self.flip_ratio = flip_ratio
        self._flip = TRANSFORMS.build(dict(type='Flip', flip_ratio=1.0))
        self._format_teacher = TRANSFORMS.build(
            dict(type='FormatShape', input_format='NCTHW'))

    @staticmethod
    def _compose(pipeline: Optional[List[dict]]) -> Compose:
        # Built with MMAction2's registry: mmcv's Compose would resolve
        # names such as CenterCrop to mmcv's image transforms.
        return Compose([
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in pipeline or []
        ])

    def _run_side(self, frames: list, pipeline: Compose, flip: bool,
                  modality: str, **extra) -> Dict:
        # Copies: a frame can appear in both sides and several times in a
        # padded clip, and MMAction2's Flip works in place.
        frames = [np.array(f, copy=True) for f in frames]
        side = dict(
            imgs=frames,
            img_shape=frames[0].shape[:2],
            original_shape=frames[0].shape[:2],
            modality=modality,
            **extra)
        side = pipeline(side)
        if flip:
            side = self._flip(side)
        return side

    def transform(self, results: Dict) -> Dict:
        """Splits, transforms and flips the student and teacher frames.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        frames = results['imgs']
        modality = results.get('modality', 'RGB')
        flip = self.flip_ratio > 0 and np.random.rand() < self.flip_ratio

        student = self._run_side(
            [frames[p] for p in results['student_frame_pos']],
            self.student_pipeline, flip, modality)
        results['imgs'] = student['imgs']
        results['img_shape'] = student['img_shape']

        teacher_pos = results.get('teacher_frame_pos')
        if teacher_pos is not None:
            num_clips, clip_len = teacher_pos.shape
            teacher = self._run_side([frames[p] for p in teacher_pos.ravel()],
                                     self.teacher_pipeline,
                                     flip,
                                     modality,
                                     num_clips=num_clips,
                                     clip_len=clip_len)
            teacher = self._format_teacher(teacher)
            results['teacher_imgs'] = teacher['imgs'].astype(np.float32)
        results['flip'] = flip
        results['flip_direction'] = 'horizontal'
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}('
                f'student_pipeline={self.student_pipeline}, '
                f'teacher_pipeline={self.teacher_pipeline}, '
                f'flip_ratio={self.flip_ratio})')
