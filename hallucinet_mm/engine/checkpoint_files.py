# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Checkpoint files: atomic writes, ``last_checkpoint``, resume and load checks.

MMEngine (0.10) writes a checkpoint straight under its final name (a full
disk leaves a truncated ``epoch_N.pth`` that looks valid), writes the
absolute path of the latest checkpoint to ``WORK_DIR/last_checkpoint`` (a
moved work dir no longer resumes), resumes from scratch without a word when
``--resume`` finds nothing, and loads a test checkpoint with
``strict=False`` (a checkpoint of another model tests random weights).
The helpers here, used by ``AtomicCheckpointHook`` and ``tools/``, fix that.
"""
import os
import os.path as osp
from typing import List, Sequence

import torch.nn as nn

from ..datasets.list_checks import read_text_lines
from ..models.checkpoint_checks import check_checkpoint_file

LAST_CHECKPOINT = 'last_checkpoint'


def fsync_path(path: str) -> None:
    """Flushes a file (or a directory's entries) to the disk."""
    flags = os.O_RDONLY
    if osp.isdir(path):
        flags |= getattr(os, 'O_DIRECTORY', 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot fsync a directory
        pass
    finally:
        os.close(fd)


def commit_file(tmp_path: str, path: str) -> None:
    """Moves a fully written ``tmp_path`` to ``path`` atomically.

    The data are flushed first, and the directory entry after the rename,
    so that ``path`` is either the old file or the complete new one.
    """
    fsync_path(tmp_path)
    os.replace(tmp_path, path)
    fsync_path(osp.dirname(osp.abspath(path)))


def tmp_name(filename: str) -> str:
    """The name a file is written under before :func:`commit_file`."""
    return f'.{filename}.tmp'


def write_last_checkpoint(work_dir: str, checkpoint: str) -> str:
    """Atomically records the latest checkpoint in ``work_dir``.

    The path is written relative to ``work_dir`` when the checkpoint lies
    inside it, so that a moved or copied work dir still resumes.

    Args:
        work_dir (str): The run's work dir.
        checkpoint (str): Path of the checkpoint just written.

    Returns:
        str: The recorded path.
    """
    rel = osp.relpath(osp.abspath(checkpoint), osp.abspath(work_dir))
    record = checkpoint if rel.startswith(os.pardir) else rel
    path = osp.join(work_dir, LAST_CHECKPOINT)
    tmp = osp.join(work_dir, tmp_name(LAST_CHECKPOINT))
    with open(tmp, 'w') as f:
        f.write(record)
    commit_file(tmp, path)
    return record


def find_resume_checkpoint(work_dir: str) -> str:
    """The checkpoint ``--resume`` (with no path) continues from.

    Reads ``WORK_DIR/last_checkpoint``: a relative path is taken from
    ``work_dir``; an absolute one that no longer exists (a work dir written
    by plain MMEngine, then moved) falls back to its file name in
    ``work_dir``.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str: Path of an existing checkpoint.

    Raises:
        FileNotFoundError: If ``work_dir`` records no checkpoint, or the
            recorded one is missing; the message names the paths.
    """
    record_file = osp.join(work_dir, LAST_CHECKPOINT)
    if not osp.isfile(record_file):
        raise FileNotFoundError(
            f'--resume: {record_file} does not exist, so the work dir '
            f'{work_dir} holds no checkpoint to resume from. Drop --resume '
            'to start from scratch, or name a checkpoint: --resume PATH')
    lines = read_text_lines(record_file, 'checkpoint record')
    record = lines[0][1].strip() if lines else ''
    if not record:
        raise FileNotFoundError(
            f'--resume: {record_file} is empty, so it names no checkpoint '
            'to resume from. Name one with --resume PATH')
    candidates = [record] if osp.isabs(record) else []
    candidates.append(
        osp.join(work_dir,
                 record if not osp.isabs(record) else osp.basename(record)))
    for candidate in candidates:
        if osp.isfile(candidate):
            return candidate
    tried = (f'{candidates[0]} does not exist' if len(candidates) == 1 else
             f'neither {" nor ".join(candidates)} exists')
    raise FileNotFoundError(
        f'--resume: {record_file} names {record!r}, but {tried}: the '
        'checkpoint was deleted or moved. Name one with --resume PATH, or '
        'drop --resume to start from scratch')


def check_resume_file(path: str) -> str:
    """Checks that an explicit ``--resume PATH`` exists.

    Raises:
        FileNotFoundError: If ``path`` is a local path that does not exist.
    """
    if '://' not in path and not osp.isfile(path):
        raise FileNotFoundError(f'--resume: checkpoint {path} does not exist')
    return path


def check_checkpoint_matches(model: nn.Module,
                             filename: str,
                             allow_missing: Sequence[str] = ()) -> List[str]:
    """Checks that a checkpoint sets every weight of ``model``.

    See :func:`~hallucinet_mm.models.checkpoint_checks.check_state_dict`.

    Args:
        model (nn.Module): The model to be tested (wrappers are unwrapped).
        filename (str): The checkpoint.
        allow_missing (Sequence[str]): Patterns of keys that may be
            missing. Defaults to ().

    Returns:
        list[str]: Checkpoint keys the model does not have (extra heads a
        test model may drop); the caller may report them.

    Raises:
        ValueError: If the checkpoint holds no state dict, misses some of
            the model's keys or has other shapes; the message names the
            checkpoint and the keys.
    """
    return check_checkpoint_file(model, filename, allow_missing)
