# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""One place for the fixes the dependency stack needs.

Each fix is idempotent, checks whether it is still needed, and changes
nothing when the upstream package already behaves. ``apply_all`` is called
once by ``import hallucinet_mm``.

1. ``mmaction2==1.2.0`` wheels lack ``mmaction/models/localizers/drn``
   (upstream issue 2714), so ``import mmaction.models`` fails. A placeholder
   module is registered; building a ``DRN`` raises :class:`MissingDRNError`.
2. ``torch>=2.6`` loads checkpoints with ``weights_only=True`` and mmengine
   0.10.x stores a few non-tensor objects (message hub history, numpy
   arrays). :func:`allow_mmengine_checkpoint_types` allow-lists exactly those,
   and local checkpoints are read through :func:`safe_load_from_local`,
   which keeps ``weights_only=True`` and explains a refusal. It replaces
   mmengine's loader for local paths (``CheckpointLoader`` scheme ``''``)
   in the WHOLE process, for every model, not only HalluciNet's; this is
   logged once at import. An empty, text or truncated file raises
   :class:`CheckpointReadError` naming the path.
3. mmengine's ``pytorch`` launcher calls ``torch.cuda.set_device``, so
   torchrun on a CPU-only host fails. :func:`setup_cpu_distributed` starts a
   gloo process group first and builds DDP without ``device_ids``.
4. mmengine 0.10.x's ``LoggerHook.after_test_epoch`` writes the test
   metrics JSON (``<log_dir>/<timestamp>.json``) from EVERY rank to the same
   path. Two ranks truncating and writing records of different lengths
   leave a damaged file (a stray ``}``). :func:`write_test_metrics_once`
   makes only the main process write it; where upstream already writes
   from one rank it changes nothing.
"""
import importlib.util
import os
import os.path as osp
import pickle
import sys
import types
import numpy as np
import torch

_APPLIED = False


class MissingDRNError(ImportError):
    """Raised when a DRN localizer is built from a wheel that lacks it."""


class UnsafeCheckpointError(pickle.UnpicklingError):
    """Raised when a checkpoint holds an object outside the allow-list."""


class CheckpointReadError(OSError):
    """Raised when a checkpoint file is empty, not a checkpoint or damaged."""

#: First bytes of torch's zip format and of its legacy pickle format.
_CHECKPOINT_MAGIC = (b'PK\x03\x04', b'\x80')


def _mmaction_has_drn() -> bool:
    """Whether the installed mmaction ships ``models/localizers/drn/drn.py``.

    Looks at the files only: importing ``mmaction.models`` to find out would
    trigger the very ImportError this fix is about.
    """
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return True  # mmaction absent: nothing to fix here.
    for root in spec.submodule_search_locations:
        if osp.isfile(osp.join(root, 'models', 'localizers', 'drn',
                               'drn.py')):
            return True
    return False


def patch_missing_drn() -> bool:
    """Registers a placeholder for ``mmaction.models.localizers.drn``.

    Returns:
        bool: True if the placeholder was installed, False when the installed
        MMAction2 has the real module (or the placeholder is already there).
    """
    name = 'mmaction.models.localizers.drn'
    if name in sys.modules or _mmaction_has_drn():
        return False

    message = ('DRN is not available: the installed mmaction2 wheel lacks '
               'mmaction/models/localizers/drn (upstream issue 2714). '
               'Install MMAction2 from source to use DRN.')

    class DRN:  # noqa: D401 - placeholder with the upstream name
        """Placeholder that refuses to be built; see MissingDRNError."""

        def __init__(self, *args, **kwargs):
            raise MissingDRNError(message)

    package = types.ModuleType(name)
    package.__path__ = []  # a package, so ``drn.drn`` resolves
    package.__doc__ = message
    module = types.ModuleType(name + '.drn')
    module.DRN = DRN
    module.__doc__ = message
    package.drn = module
    package.DRN = DRN
    sys.modules[name] = package
    sys.modules[name + '.drn'] = module

    from mmaction.registry import MODELS
    if 'DRN' not in MODELS.module_dict:
        MODELS.register_module(name='DRN', module=DRN)
    return True


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


def safe_torch_load(filename: str, map_location=None):
    """``torch.load`` with ``weights_only=True`` and a clear refusal.

    Args:
        filename (str): The checkpoint path.
        map_location: As for :func:`torch.load`.

    Returns:
        The loaded object.

    Raises:
        UnsafeCheckpointError: If the file holds an object that is neither a
            tensor, a plain container nor one of the allow-listed types.
        CheckpointReadError: If the file is empty, is not a checkpoint
            (text, another format) or is truncated or damaged.
    """
    _check_checkpoint_header(filename)
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as err:
        if 'weights only' not in str(err).lower():
            raise CheckpointReadError(
                f'Cannot read checkpoint {filename!r}: damaged pickle '
                f'({_first_line(err)})') from err
        raise UnsafeCheckpointError(
            f'Refusing to load checkpoint {filename!r}: it holds a pickled '
            'object outside the allow-list of tensors, containers and the '
            'types mmengine writes (hallucinet_mm.compat.'
            'mmengine_checkpoint_types). Loading it would run arbitrary '
            f'code. torch said: {_refusal_reason(err)}') from err
    except (EOFError, RuntimeError, KeyError, IndexError, ValueError) as err:
        # A truncated zip (``failed finding central directory``), a cut
        # legacy pickle (bare EOFError) or garbage after a valid header.
        damaged = isinstance(err, EOFError) or any(
            word in str(err) for word in ('zip archive', 'EOF', 'corrupt'))
        raise CheckpointReadError(
            f'Cannot read checkpoint {filename!r} '
            f'({osp.getsize(filename)} bytes)'
            f'{": it is truncated or damaged" if damaged else ""} '
            f'({type(err).__name__}: {_first_line(err)})') from err


def _first_line(err: Exception) -> str:
    """The first line of an exception's message (or its type name)."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _check_checkpoint_header(filename: str) -> None:
    """Refuses empty files and files that start like no torch checkpoint.

    Raises:
        CheckpointReadError: Naming the path and what the file starts with.
    """
    with open(filename, 'rb') as f:
        head = f.read(16)
    if not head:
        raise CheckpointReadError(
            f'Checkpoint {filename!r} is empty (0 bytes); it was probably '
            'cut short while being written')
    if not head.startswith(_CHECKPOINT_MAGIC):
        raise CheckpointReadError(
            f'{filename!r} is not a PyTorch checkpoint: it starts with '
            f'{head!r}, neither a zip archive (torch.save) nor a pickle')


def _refusal_reason(err: Exception) -> str:
    """The line of torch's weights-only error naming the refused object.

    torch's first line is generic advice (re-run with ``weights_only=False``);
    the object (``GLOBAL posix.system``, a refused ``getattr``) comes later.
    """
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    for line in lines:
        if 'GLOBAL' in line or 'not allowed' in line:
            return line
    return lines[0] if lines else type(err).__name__


def safe_load_from_local(filename: str, map_location=None):
    """mmengine ``CheckpointLoader`` scheme for local files (safe loading)."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return safe_torch_load(filename, map_location=map_location)


def register_safe_checkpoint_loader() -> None:
    """Routes mmengine's local checkpoint loading through the safe loader.

    This covers ``load_from``, ``--resume`` and ``load_checkpoint`` for the
    whole process (any model, any caller of mmengine's loader), which is
    logged once.
    """
    from mmengine.logging import print_log
    from mmengine.runner.checkpoint import CheckpointLoader
    CheckpointLoader.register_scheme(
        prefixes='', loader=safe_load_from_local, force=True)
    print_log(
        'hallucinet_mm.compat: mmengine\'s local checkpoint loader is '
        'replaced for this whole process by hallucinet_mm.compat.'
        'safe_load_from_local (torch.load with weights_only=True, an '
        'allow-list of the types mmengine writes, errors naming the file)',
        logger='current')


def setup_cpu_distributed(cfg, launcher: str) -> bool:
    """Makes ``torchrun`` work on hosts without CUDA.

    mmengine's ``pytorch`` launcher calls ``torch.cuda.set_device``; when
    CUDA is absent this starts a gloo process group first (mmengine then
    skips its own initialisation) and builds DDP without ``device_ids``.

    Args:
        cfg (Config): The runner config; ``model_wrapper_cfg`` is set.
        launcher (str): The ``--launcher`` value.

    Returns:
        bool: True if the CPU path was taken.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    import torch.distributed as dist
    if not dist.is_initialized():
        if launcher == 'slurm':
            raise RuntimeError(
                'CPU-only distributed training supports the pytorch launcher '
                '(torchrun); got --launcher slurm on a host without CUDA.')
        for key in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
            if key not in os.environ:
                raise RuntimeError(
                    f'--launcher {launcher} needs the {key} environment '
                    'variable; start the job with torchrun (tools/'
                    'dist_train.sh).')
        dist.init_process_group(backend='gloo')
    wrapper = dict(cfg.get('model_wrapper_cfg', None) or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    return True


def _dump_on_main_process(dump):
    """``dump`` that writes files only on the main process (rank 0)."""
    from mmengine import dist

    def dump_on_main_process(obj, file=None, *args, **kwargs):
        if file is not None and not dist.is_main_process():
            return None
        return dump(obj, file, *args, **kwargs)

    dump_on_main_process.writes_on_main_process_only = True
    return dump_on_main_process


def write_test_metrics_once() -> bool:
    """Lets only rank 0 write the test metrics JSON of ``LoggerHook``.

    ``mmengine.hooks.logger_hook`` calls ``dump`` once, for that JSON; its
    ``dump`` is wrapped so that other ranks skip the write (they still log).

    Returns:
        bool: True if the wrapper was installed by this call.
    """
    from mmengine.hooks import logger_hook
    if getattr(logger_hook.dump, 'writes_on_main_process_only', False):
        return False
    logger_hook.dump = _dump_on_main_process(logger_hook.dump)
    return True


def apply_all() -> None:
    """Applies every fix once (called by ``import hallucinet_mm``)."""
    global _APPLIED
    if _APPLIED:
        return
    patch_missing_drn()
    allow_mmengine_checkpoint_types()
    register_safe_checkpoint_loader()
    write_test_metrics_once()
    _APPLIED = True

