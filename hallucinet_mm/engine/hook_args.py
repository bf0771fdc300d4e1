# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Checks every hook's arguments before the Runner is built.

A misspelt hook argument fails late or not at all: MMEngine's
``CheckpointHook`` takes ``**kwargs`` and hands them to
``runner.save_checkpoint``, so ``default_hooks.checkpoint.intervall=1``
fails with a ``TypeError`` only at the first save, after a whole epoch; a
hook without ``**kwargs`` fails at build time with a ``TypeError`` that
names neither the config key nor the hook. :func:`check_hook_args` names
the key (``default_hooks.checkpoint.intervall``) and its closest
arguments before anything runs.
"""
import difflib
import inspect
from typing import Dict, Iterator, List, Tuple

from mmengine.hooks import CheckpointHook
from mmengine.runner import Runner

from mmaction.registry import HOOKS

#: ``runner.save_checkpoint`` arguments ``CheckpointHook`` passes itself.
_SAVE_ARGS_SET_BY_HOOK = ('out_dir', 'filename', 'file_client_args',
                          'save_optimizer', 'save_param_scheduler', 'meta',
                          'by_epoch', 'backend_args')


class HookArgumentError(TypeError):
    """A hook config with an argument its hook does not take."""

    def __str__(self) -> str:
        return str(self.args[0])


def _hook_cfgs(cfg) -> Iterator[Tuple[str, Dict]]:
    """``(config key, hook dict)`` of ``default_hooks`` and ``custom_hooks``.
    """
    for name, hook in (cfg.get('default_hooks') or {}).items():
        if isinstance(hook, dict):
            yield f'default_hooks.{name}', hook
    for i, hook in enumerate(cfg.get('custom_hooks') or []):
        if isinstance(hook, dict):
            yield f'custom_hooks[{i}] ({hook.get("type")})', hook


def accepted_args(hook_cls) -> Tuple[List[str], bool]:
    """The arguments a hook class takes, and whether it takes any other.

    A ``CheckpointHook`` hands its ``**kwargs`` to MMEngine's
    ``Runner.save_checkpoint``, so only that method's other arguments are
    accepted for it.
    """
    params = inspect.signature(hook_cls.__init__).parameters
    names = [
        n for n, p in params.items() if n != 'self' and p.kind not in (
            p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    takes_more = any(p.kind == p.VAR_KEYWORD for p in params.values())
    if takes_more and issubclass(hook_cls, CheckpointHook):
        save = inspect.signature(Runner.save_checkpoint).parameters
        names += [
            n for n in save
            if n != 'self' and n not in _SAVE_ARGS_SET_BY_HOOK
        ]
        takes_more = False
    return names, takes_more


def check_hook_args(cfg, config_file: str = 'the config') -> None:
    """Refuses a hook config with an argument its hook does not take.

    Hooks whose type is not registered (yet) or that take any keyword are
    left to MMEngine.

    Args:
        cfg (Config): The config, after ``--cfg-options`` are merged.
        config_file (str): The config's path, for the message.

    Raises:
        HookArgumentError: Naming the config key of the argument, the hook
            type and the closest arguments it takes.
    """
    for key, hook in _hook_cfgs(cfg):
        hook_type = hook.get('type')
        hook_cls = HOOKS.get(hook_type) if isinstance(hook_type, str) \
            else hook_type
        if not inspect.isclass(hook_cls):
            continue
        names, takes_more = accepted_args(hook_cls)
        if takes_more:
            continue
        for arg in hook:
            if arg in ('type', '_scope_') or arg in names:
                continue
            close = difflib.get_close_matches(arg, names, n=3)
            hint = (f' (did you mean {" or ".join(map(repr, close))}?)'
                    if close else '')
            raise HookArgumentError(
                f'{config_file}: {key.split(" ")[0]}.{arg}: {hook_type} '
                f'takes no argument {arg!r}{hint}; it takes '
                f'{", ".join(names)}')
