# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The fixes the dependency stack needs, one module per fix.

Each fix is idempotent, checks whether it is still needed, and changes
nothing when the upstream package already behaves. :func:`apply_all` is
called once by ``import hallucinet_mm``; :func:`setup_cpu_distributed` is
called by ``tools/train.py`` and ``tools/test.py``.

=========================  ======================  ===========================
Module                     Exists for              Fix
=========================  ======================  ===========================
:mod:`.missing_drn`        ``mmaction2==1.2.0``    placeholder ``DRN`` module
:mod:`.checkpoint_types`   ``torch>=2.6``          allow-list mmengine's types
:mod:`.checkpoint_loader`  ``mmengine==0.10.x``    safe local checkpoint loader
:mod:`.cpu_distributed`    ``mmengine==0.10.x``    ``torchrun`` without CUDA
:mod:`.logger_dump`        ``mmengine==0.10.x``    test metrics JSON by rank 0
=========================  ======================  ===========================
"""
from .checkpoint_loader import (CheckpointReadError, UnsafeCheckpointError,
                                register_safe_checkpoint_loader,
                                safe_load_from_local, safe_torch_load)
from .checkpoint_types import (allow_mmengine_checkpoint_types,
                               history_buffer_getattr,
                               mmengine_checkpoint_types)
from .cpu_distributed import setup_cpu_distributed
from .logger_dump import write_test_metrics_once
from .missing_drn import MissingDRNError, patch_missing_drn

_APPLIED = False


def apply_all() -> None:
    """Applies every import-time fix once (called by ``import hallucinet_mm``).
    """
    global _APPLIED
    if _APPLIED:
        return
    patch_missing_drn()
    allow_mmengine_checkpoint_types()
    register_safe_checkpoint_loader()
    write_test_metrics_once()
    _APPLIED = True


__all__ = [
    'CheckpointReadError', 'MissingDRNError', 'UnsafeCheckpointError',
    'allow_mmengine_checkpoint_types', 'apply_all', 'history_buffer_getattr',
    'mmengine_checkpoint_types', 'patch_missing_drn',
    'register_safe_checkpoint_loader', 'safe_load_from_local',
    'safe_torch_load', 'setup_cpu_distributed', 'write_test_metrics_once'
]
