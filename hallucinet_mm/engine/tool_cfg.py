# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Config steps shared by ``tools/train.py`` and ``tools/test.py``.

:func:`check_cfg_options` checks ``--cfg-options`` before they are merged:
MMEngine's ``Config.merge_from_dict`` creates any key it is given, so a
typo such as ``modle.teacher.checkpoint=t.pth`` silently adds a new
top-level entry nobody reads and the run goes on with the config's value.
:func:`add_reliability_hooks` makes sure a training config has the
plugin's reliability hooks, through :func:`add_hooks`, the one place that
adds hooks to a config (``tools/test.py`` adds ``CheckLabelRangeHook``).
Both tools build their parser with :func:`runner_parser` and
:func:`parse_runner_args` (every config tool adds ``--cfg-options`` with
:func:`add_cfg_options`), and merge the shared options with
:func:`merge_launcher_and_work_dir` and :func:`merge_cfg_options`.
"""
import difflib
import inspect
from typing import Dict, List, Optional, Sequence

from mmengine.runner import Runner

#: Top-level keys MMEngine or MMAction2 read although a config may lack them.
_EXTRA_TOP_LEVEL = ('model_wrapper_cfg', 'find_unused_parameters', 'gpu_ids',
                    'custom_imports', 'dist_params', 'strategy')


class UnknownConfigKeyError(KeyError):
    """A ``--cfg-options`` key whose first part is not in the config."""

    def __str__(self) -> str:
        return str(self.args[0])


def known_top_level_keys(cfg) -> set:
    """Keys of ``cfg`` plus the top-level keys the Runner accepts."""
    runner_args = set(inspect.signature(Runner.__init__).parameters)
    runner_args.discard('self')
    return set(cfg.keys()) | runner_args | set(_EXTRA_TOP_LEVEL)


def check_cfg_options(cfg,
                      options: Optional[Dict],
                      config_file: str = 'the config') -> None:
    """Refuses ``--cfg-options`` whose top-level key is unknown.

    Nested keys below an existing top-level key may be new (e.g. adding
    ``model.teacher.revise_keys``); a new top-level key is almost always a
    typo, since nothing would read it.

    Args:
        cfg (Config): The config the options will be merged into.
        options (dict, optional): The parsed ``--cfg-options``.
        config_file (str): The config's path, for the message.

    Raises:
        UnknownConfigKeyError: Naming the option, its unknown key and the
            closest known keys.
    """
    known = known_top_level_keys(cfg)
    for option, value in (options or {}).items():
        top = option.split('.', 1)[0]
        if top in known:
            continue
        close = difflib.get_close_matches(top, sorted(known), n=3)
        hint = f' (did you mean {" or ".join(map(repr, close))}?)' \
            if close else ''
        raise UnknownConfigKeyError(
            f'--cfg-options {option}={value}: {top!r} is not a key of '
            f'{config_file} '
            f'nor a Runner argument{hint}')


#: Hooks every training run gets (see hallucinet_mm/engine/hooks).
RELIABILITY_HOOKS = ('FiniteCheckHook', 'RNGStateHook', 'CheckLabelRangeHook')


def _hook_types(hooks) -> set:
    """The type names of a ``custom_hooks`` list or ``default_hooks`` dict."""
    values = hooks.values() if isinstance(hooks, dict) else hooks
    types = [h.get('type') for h in values or [] if isinstance(h, dict)]
    return {t.__name__ if isinstance(t, type) else t for t in types}


def add_hooks(cfg, hook_types: Sequence[str]) -> List[str]:
    """Appends to ``custom_hooks`` each hook type the config lacks.

    A hook counts as present when ``custom_hooks`` or ``default_hooks``
    holds one of its type (a name or the class), so a config may set its
    arguments. Tools call this so that no config (one that overrides
    ``custom_hooks``, say) can drop a check silently.

    Args:
        cfg (Config | dict): The runner config, changed in place.
        hook_types (Sequence[str]): Registered hook names.

    Returns:
        list[str]: ``'added <type>'`` for each hook added.
    """
    present = _hook_types(cfg.get('custom_hooks')) | _hook_types(
        cfg.get('default_hooks') or {})
    missing = [h for h in hook_types if h not in present]
    cfg['custom_hooks'] = list(cfg.get('custom_hooks', None)
                               or []) + [dict(type=h) for h in missing]
    return [f'added {h}' for h in missing]


def add_reliability_hooks(cfg) -> list:
    """Adds the reliability hooks a training config lacks.

    ``configs/_base_/default_runtime.py`` lists them in ``custom_hooks``,
    but a config that sets its own ``custom_hooks`` replaces that list.
    MMEngine's ``CheckpointHook`` becomes ``AtomicCheckpointHook`` (same
    arguments); base configs cannot set this themselves, since two bases
    of one config may not both define ``default_hooks``. A hook's
    arguments are set in the config (e.g.
    ``dict(type='RNGStateHook', seed_data=False)``).

    Args:
        cfg (Config): A training config, changed in place.

    Returns:
        list[str]: What was added or changed, for the log.
    """
    changes = []
    default_hooks = cfg.get('default_hooks') or {}
    checkpoint = default_hooks.get('checkpoint')
    if isinstance(checkpoint, dict) and checkpoint.get('type') in (
            'CheckpointHook', 'mmengine.CheckpointHook'):
        checkpoint['type'] = 'AtomicCheckpointHook'
        changes.append('checkpoint hook -> AtomicCheckpointHook')
    return changes + add_hooks(cfg, RELIABILITY_HOOKS)


def runner_parser(description: str, config_help: str, *positional,
                  work_dir_help: str):
    """The parser of tools/train.py or tools/test.py, before its own options.

    Args:
        description (str): The tool's description.
        config_help (str): The help of the ``config`` argument.
        *positional (tuple[str, str]): ``(name, help)`` of each further
            positional argument (tools/test.py's ``checkpoint``).
        work_dir_help (str): The help of ``--work-dir``.

    Returns:
        argparse.ArgumentParser: The parser, for :func:`parse_runner_args`.
    """
    import argparse
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('config', help=config_help)
    for name, text in positional:
        parser.add_argument(name, help=text)
    parser.add_argument('--work-dir', help=work_dir_help)
    return parser


def merge_launcher_and_work_dir(cfg, args) -> None:
    """Sets ``cfg.launcher`` and ``cfg.work_dir``: ``--work-dir``, else the
    config's, else ``./work_dirs/<config name>``."""
    import os.path as osp
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])


def merge_cfg_options(cfg, args) -> None:
    """Checks ``--cfg-options`` (:func:`check_cfg_options`) and merges them
    into ``cfg``."""
    if args.cfg_options is not None:
        check_cfg_options(cfg, args.cfg_options, args.config)
        cfg.merge_from_dict(args.cfg_options)


def add_cfg_options(parser, help: str) -> None:
    """Adds ``--cfg-options`` (key=value pairs, mmengine's ``DictAction``),
    as every tool that reads a config takes it."""
    from mmengine.config import DictAction
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, help=help)


def parse_runner_args(parser, argv=None):
    """Adds the options tools/train.py and tools/test.py share, and parses.

    ``--cfg-options`` (mmengine's ``DictAction``), ``--launcher`` and
    ``--local-rank``, as MMAction2's tools take them; ``LOCAL_RANK`` is set
    from ``--local-rank`` unless the launcher set it.

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
        argv (list[str], optional): Arguments; None reads ``sys.argv``.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    import os
    add_cfg_options(
        parser, 'override settings in the config, key=value pairs in '
        'xxx=yyy format')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args
