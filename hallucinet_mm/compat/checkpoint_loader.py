# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""A safe local checkpoint loader for mmengine (for ``mmengine==0.10.x``).

mmengine 0.10.x calls ``torch.load`` without ``weights_only``. Local
checkpoints are read instead through :func:`safe_load_from_local`, which
keeps ``weights_only=True`` (with the allow-list of
:mod:`.checkpoint_types`) and explains a refusal. It replaces mmengine's
loader for local paths (``CheckpointLoader`` scheme ``''``) in the WHOLE
process, for every model, not only HalluciNet's; this is logged once. An
empty, text or truncated file raises :class:`CheckpointReadError` naming the
path.
"""
import os.path as osp
import pickle

import torch


class UnsafeCheckpointError(pickle.UnpicklingError):
    """Raised when a checkpoint holds an object outside the allow-list."""


class CheckpointReadError(OSError):
    """Raised when a checkpoint file is empty, not a checkpoint or damaged."""

#: First bytes of torch's zip format and of its legacy pickle format.
_CHECKPOINT_MAGIC = (b'PK\x03\x04', b'\x80')


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
