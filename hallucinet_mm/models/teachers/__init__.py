# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .frozen_teacher import (FrozenTeacherWrapper, TeacherCheckpointError,
                             build_teacher)

__all__ = ['FrozenTeacherWrapper', 'TeacherCheckpointError', 'build_teacher']
