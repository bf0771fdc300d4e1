# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .check_teacher_feature_store_hook import CheckTeacherFeatureStoreHook

__all__ = ['CheckTeacherFeatureStoreHook']
from .atomic_checkpoint_hook import AtomicCheckpointHook  # noqa: E402
from .check_label_range_hook import CheckLabelRangeHook  # noqa: E402
from .finite_check_hook import FiniteCheckHook  # noqa: E402
from .rng_state_hook import RNGStateHook  # noqa: E402
from .training_data_hook import CheckTrainingDataHook  # noqa: E402

__all__ += [
    'AtomicCheckpointHook', 'CheckLabelRangeHook', 'CheckTrainingDataHook',
    'FiniteCheckHook',
    'RNGStateHook'
]
