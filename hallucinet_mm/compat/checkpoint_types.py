# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Allow-list of mmengine's checkpoint types (for ``torch>=2.6``).

``torch>=2.6`` loads checkpoints with ``weights_only=True``, while mmengine
0.10.x stores a few non-tensor objects in them (message hub history, numpy
arrays and scalars), so ``--resume`` fails. :func:`allow_mmengine_checkpoint_types`
adds exactly those types to torch's safe globals; ``weights_only`` stays on.
With torch < 2.4 (no safe-globals API) it changes nothing.
"""
import importlib
import pickle

import numpy as np
import torch


def mmengine_checkpoint_types() -> list:
    """The non-tensor types mmengine 0.10.x writes into its checkpoints.

    ``message_hub`` holds :class:`HistoryBuffer` objects backed by numpy
    arrays; numpy scalars appear in logged values and in dataset meta.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    allowed = [HistoryBuffer, np.ndarray, np.dtype]
    # numpy pickles arrays through ``_reconstruct`` and scalars through
    # ``scalar``; their module moved from numpy.core to numpy._core in 2.0.
    for mod_name in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        try:
            mod = importlib.import_module(mod_name)
        except ImportError:
            continue
        allowed += [mod._reconstruct, mod.scalar]
        break
    # The dtype classes (numpy.dtypes.Float64DType, ...) numpy 2 pickles.
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        allowed += [
            getattr(dtypes, n) for n in dir(dtypes) if n.endswith('DType')
        ]
    return allowed


def history_buffer_getattr(obj, name: str):
    """A ``getattr`` that only resolves HistoryBuffer's statistic methods.

    mmengine pickles ``HistoryBuffer`` with its statistics methods
    (``min``, ``max``, ``mean``, ``current``, ...) stored by reference, which
    pickle writes as ``getattr(HistoryBuffer, 'min')``. Allow-listing the
    builtin ``getattr`` would let a checkpoint walk to any object (and run
    code); this stand-in resolves only those methods.

    Raises:
        pickle.UnpicklingError: For any other object or attribute.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    if obj is HistoryBuffer and not name.startswith('_') and callable(
            getattr(HistoryBuffer, name, None)):
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'getattr({obj!r}, {name!r}) is not allowed in a checkpoint')


def allow_mmengine_checkpoint_types() -> bool:
    """Adds :func:`mmengine_checkpoint_types` to torch's safe globals.

    Returns:
        bool: False when torch has no safe-globals API (torch < 2.4).
    """
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is None:
        return False
    add_safe_globals(mmengine_checkpoint_types())
    add_safe_globals([(history_buffer_getattr, 'builtins.getattr')])
    return True
