# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .safe_pickle import UnsafePickleError, safe_pickle_load

__all__ = ['UnsafePickleError', 'safe_pickle_load']

from .config_utils import drop_unused_teacher, pipeline_collects  # noqa: E402

__all__ += ['drop_unused_teacher', 'pipeline_collects']
