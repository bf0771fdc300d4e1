# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .checked_loading import (CheckedDecordDecode, CheckedDecordInit,
                              CheckedRawFrameDecode, TeacherWindowPolicy,
                              VideoReadError)
from .frame_samplers import (DiveFrameSampler, PairFrameSampler,
                             SingleFrameSampler, VideoTooShortError,
                             teacher_clip_indices)
from .image_reader import ImageReader
from .split_student_teacher import SplitStudentTeacher
from .teacher_features import LoadTeacherFeatures

__all__ = [
    'CheckedDecordInit', 'CheckedDecordDecode', 'CheckedRawFrameDecode',
    'TeacherWindowPolicy', 'VideoReadError', 'SingleFrameSampler',
    'PairFrameSampler', 'DiveFrameSampler', 'VideoTooShortError',
    'teacher_clip_indices', 'SplitStudentTeacher', 'ImageReader',
    'LoadTeacherFeatures'
]
