# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""What ``tools/train.py`` checks on the built Runner, and how it reports a
run that fails.

- :func:`check_start_checkpoint`: ``load_from`` (fine-tuning) and
  ``--resume`` checkpoints are compared with the built model before the
  Runner touches the optimizer; a checkpoint of another model is refused,
  naming the checkpoint and the config (MMEngine would load ``load_from``
  non-strictly, and fail a resume inside the optimizer's
  ``load_state_dict`` without naming either). Fine-tuning from another
  task names the keys that may stay untrained in
  ``load_from_allow_missing``.
- :func:`describe_failure`: where a run stopped (epoch, iteration) and
  what of it was saved, for the message of a run that fails mid-epoch.
"""
import os.path as osp
from typing import Optional

from mmengine.model import is_model_wrapper

from ..models.checkpoint_checks import (check_state_dict,
                                        enable_strict_loading,
                                        read_state_dict)
from .checkpoint_files import LAST_CHECKPOINT

#: The config key naming the model keys ``load_from`` may lack.
ALLOW_MISSING_KEY = 'load_from_allow_missing'


def check_start_checkpoint(runner, cfg, config_file: str) -> None:
    """Refuses a ``load_from`` or resume checkpoint of another model.

    Args:
        runner (Runner): The built Runner (its model is checked).
        cfg (Config): The merged config.
        config_file (str): The config's path, for the message.

    Raises:
        CheckpointMismatchError: Naming the checkpoint, the config and the
            first mismatching keys.
        ValueError: ``load_from_allow_missing`` with ``--resume``, or not a
            list of patterns.
    """
    load_from: Optional[str] = cfg.get('load_from')
    allow = list(cfg.get(ALLOW_MISSING_KEY) or [])
    if not all(isinstance(p, str) for p in allow):
        raise ValueError(f'{config_file}: {ALLOW_MISSING_KEY} must be a list '
                         f'of key patterns, got {allow!r}')
    model = runner.model.module if is_model_wrapper(runner.model) \
        else runner.model
    resume = bool(cfg.get('resume'))
    if resume and allow:
        raise ValueError(
            f'{config_file}: {ALLOW_MISSING_KEY}={allow} with --resume: a '
            'resumed run continues the same model, every key must match')
    if not load_from or '://' in load_from:
        return
    what = 'resume from' if resume else 'load_from'
    extra = check_state_dict(model, read_state_dict(load_from),
                             f'{load_from} ({what}, config {config_file})',
                             allow, ALLOW_MISSING_KEY)
    if extra:
        runner.logger.warning(
            f'{load_from}: {len(extra)} checkpoint keys the model of '
            f'{config_file} does not have are ignored: {extra[:8]}')
    # The Runner's own load goes through the model's strict pre-hook.
    enable_strict_loading(model, allow)


def describe_failure(runner, config_file: str) -> str:
    """Where a failed training run stopped and what of it was saved.

    Args:
        runner (Runner): The Runner whose ``train()`` raised.
        config_file (str): The config's path.

    Returns:
        str: One line for the user.
    """
    loop = getattr(runner, '_train_loop', None)
    if loop is None or isinstance(loop, dict):
        where = 'before the first iteration'
    elif getattr(loop, '_max_epochs', None) is not None:
        inner = loop.iter - loop.epoch * len(loop.dataloader) + 1
        where = (f'epoch {loop.epoch + 1}, iteration {inner} of '
                 f'{len(loop.dataloader)} (global iteration {loop.iter + 1})')
    else:
        where = f'iteration {loop.iter + 1}'
    record = osp.join(runner.work_dir, LAST_CHECKPOINT)
    if osp.isfile(record):
        with open(record) as f:
            saved = f'the last checkpoint is {f.read().strip()} (resume ' \
                'with --resume)'
    else:
        saved = 'no checkpoint of this run was saved'
    return (f'{config_file}: training FAILED at {where}; {saved}; the log '
            f'is in {runner.log_dir}')
