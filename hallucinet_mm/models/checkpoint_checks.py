# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Strict loading of a trained model: a checkpoint that is not the model's
is refused, naming the file and the first mismatches.

MMEngine loads ``load_from``, a test checkpoint and MMAction2's
``init_recognizer`` checkpoint with ``strict=False``: a checkpoint of
another model (a teacher, another class count, another config) leaves the
model partly or fully random and only logs the mismatches. Here:

- :func:`check_state_dict` compares a state dict with a model; a missing
  key or another shape is refused unless the key matches a pattern the
  caller allows by name (fine-tuning from another task, e.g.
  ``load_from_allow_missing = ['cls_head.*']``), and a checkpoint that
  matches none of the model's keys is refused in any case;
- :func:`load_trained_model` checks, then loads (export, demo, inference);
- :func:`enable_strict_loading` makes every ``load_state_dict`` /
  ``load_checkpoint`` of a model run the check (HalluciNetRecognizer calls
  it), so ``init_recognizer`` with a plugin config is strict too. The
  patterns a model allows are in its ``allow_missing_keys`` attribute
  (empty unless a tool sets it).
"""
import fnmatch
import inspect
from typing import Dict, List, Optional, Sequence

import torch.nn as nn
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import _load_checkpoint, load_state_dict

#: How many mismatching keys a message lists.
SHOWN = 8


class CheckpointMismatchError(ValueError):
    """A checkpoint that does not hold the weights of the model.

    Attributes:
        missing (list[str]): The model's keys the checkpoint lacks.
        shapes (list[str]): ``key (checkpoint shape) vs (model shape)``.
    """

    def __init__(self, message: str, missing: Sequence[str] = (),
                 shapes: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.missing = list(missing)
        self.shapes = list(shapes)


def listed(keys: Sequence[str], limit: int = SHOWN) -> str:
    """The first ``limit`` keys, and how many there are in all."""
    more = f' ... ({len(keys)} in all)' if len(keys) > limit else ''
    return ', '.join(keys[:limit]) + more


def state_dict_of(checkpoint, filename: str) -> Dict:
    """The state dict of a loaded checkpoint, ``module.`` prefixes removed.

    Raises:
        ValueError: Naming ``filename``, when it holds no state dict.
    """
    state = checkpoint.get('state_dict', checkpoint) \
        if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f'checkpoint {filename} holds no state dict')
    return {
        (k[len('module.'):] if k.startswith('module.') else k): v
        for k, v in state.items()
    }


def read_state_dict(filename: str) -> Dict:
    """Loads a checkpoint file (on the CPU) and returns its state dict."""
    return state_dict_of(_load_checkpoint(filename, map_location='cpu'),
                         filename)


def _allowed(key: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(key, p) for p in patterns)


def check_state_dict(model: nn.Module,
                     state: Dict,
                     source: str,
                     allow_missing: Sequence[str] = (),
                     option: str = 'load_from_allow_missing') -> List[str]:
    """Refuses a state dict that does not set every weight of ``model``.

    Args:
        model (nn.Module): The model (wrappers are unwrapped).
        state (dict): The state dict to load.
        source (str): Where it comes from (the checkpoint file), named in
            the message.
        allow_missing (Sequence[str]): ``fnmatch`` patterns of model keys
            that may be missing or have another shape (they keep their
            initial weights). Defaults to ().
        option (str): The setting that holds ``allow_missing``, named in
            the message. Defaults to ``'load_from_allow_missing'``.

    Returns:
        list[str]: Checkpoint keys the model does not have (the caller may
        report them).

    Raises:
        CheckpointMismatchError: Naming ``source``, the number of matched
            keys and the first missing keys and differing shapes.
    """
    if is_model_wrapper(model):
        model = model.module
    expected = model.state_dict()
    missing = [
        k for k in expected if k not in state and not _allowed(
            k, allow_missing)
    ]
    shapes = [
        f'{k} {tuple(state[k].shape)} vs {tuple(v.shape)}'
        for k, v in expected.items()
        if k in state and hasattr(state[k], 'shape')
        and tuple(state[k].shape) != tuple(v.shape)
        and not _allowed(k, allow_missing)
    ]
    matched = sum(k in state for k in expected)
    problems = []
    if missing:
        problems.append(f'{len(missing)} of the model\'s {len(expected)} '
                        f'keys are missing: {listed(missing)}')
    if shapes:
        problems.append('shapes differ (checkpoint vs model): '
                        f'{listed(shapes)}')
    if expected and not matched:
        problems.append('it holds none of the model\'s keys (its first '
                        f'keys: {listed(sorted(state))})')
    if problems:
        allowed = (f' ({option} = {list(allow_missing)})'
                   if allow_missing else '')
        raise CheckpointMismatchError(
            f'checkpoint {source} does not match the model '
            f'{type(model).__name__}{allowed}, which would run with '
            'random weights: ' + '; '.join(problems) + '. Use the '
            'checkpoint this config trained; to fine-tune from another '
            f'task, name the keys that may stay untrained: {option} = '
            "['cls_head.*']", missing, shapes)
    return [k for k in state if k not in expected]


def check_checkpoint_file(model: nn.Module,
                          filename: str,
                          allow_missing: Sequence[str] = (),
                          option: str = 'load_from_allow_missing'
                          ) -> List[str]:
    """:func:`check_state_dict` on a checkpoint file."""
    return check_state_dict(model, read_state_dict(filename), filename,
                            allow_missing, option)


def load_trained_model(model: nn.Module,
                       filename: str,
                       allow_missing: Sequence[str] = ()) -> List[str]:
    """Loads a trained model's checkpoint, refusing one of another model.

    For the deployment code (export, demo, inference), where MMEngine's
    ``load_checkpoint`` would load non-strictly.

    Args:
        model (nn.Module): The built model.
        filename (str): The checkpoint.
        allow_missing (Sequence[str]): See :func:`check_state_dict`.
            Defaults to ().

    Returns:
        list[str]: Checkpoint keys the model does not use.

    Raises:
        CheckpointMismatchError: See :func:`check_state_dict`.
    """
    state = read_state_dict(filename)
    extra = check_state_dict(model, state, filename, allow_missing)
    load_state_dict(model.module if is_model_wrapper(model) else model,
                    state, strict=False)
    return extra


def _loading_file() -> str:
    """The file an enclosing ``load_checkpoint`` call loads, if any."""
    frame = inspect.currentframe()
    while frame is not None:
        if frame.f_code.co_name == 'load_checkpoint' and isinstance(
                frame.f_locals.get('filename'), str):
            return frame.f_locals['filename']
        frame = frame.f_back
    return 'the state dict being loaded'


def _strict_pre_hook(module: nn.Module, state_dict: Dict, prefix: str,
                     *args) -> None:
    if prefix:  # the model is a submodule of what is being loaded
        return
    check_state_dict(module, state_dict, _loading_file(),
                     getattr(module, 'allow_missing_keys', ()),
                     f'{type(module).__name__}.allow_missing_keys')


def enable_strict_loading(model: nn.Module,
                          allow_missing: Optional[Sequence[str]] = None
                          ) -> None:
    """Makes every load of a state dict into ``model`` strict.

    A pre-hook of ``model``'s ``load_state_dict`` (MMEngine's
    ``load_checkpoint`` and ``init_recognizer`` go through it) runs
    :func:`check_state_dict` with the patterns in
    ``model.allow_missing_keys``.

    Args:
        model (nn.Module): The model.
        allow_missing (Sequence[str], optional): Sets
            ``model.allow_missing_keys``. Defaults to None (keeps it, or
            sets it to ()).
    """
    if allow_missing is not None or not hasattr(model, 'allow_missing_keys'):
        model.allow_missing_keys = tuple(allow_missing or ())
    if not getattr(model, '_strict_loading', False):
        model._register_load_state_dict_pre_hook(
            _strict_pre_hook, with_module=True)
        model._strict_loading = True
