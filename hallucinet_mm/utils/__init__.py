# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .safe_pickle import UnsafePickleError, safe_pickle_load

__all__ = ['UnsafePickleError', 'safe_pickle_load']
from .run_records import latest_test_metrics, read_json_records  # noqa: E402

__all__ += ['latest_test_metrics', 'read_json_records']
from .config_utils import drop_unused_teacher, pipeline_collects  # noqa: E402

__all__ += ['drop_unused_teacher', 'pipeline_collects']
