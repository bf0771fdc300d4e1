# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""A frozen, pretrained 3D-CNN whose pooled features are the targets."""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmengine.runner.checkpoint import load_checkpoint

from mmaction.registry import MODELS
from ..backbones.hara_layout import hara_hint, looks_like_hara
from ...utils.config_utils import load_model_cfg


class TeacherCheckpointError(RuntimeError):
    """A teacher checkpoint that does not match the teacher's modules."""


class _StopForward(Exception):
    """Raised by the tap hook to skip the layers after the tapped one."""


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _format_keys(keys: Sequence[str], limit: int = 10) -> str:
    keys = sorted(keys)
    more = f' ... ({len(keys) - limit} more)' if len(keys) > limit else ''
    return ', '.join(keys[:limit]) + more


@MODELS.register_module()
class FrozenTeacherWrapper(BaseModule):
    """Wraps any MMAction2 model or backbone as a frozen feature teacher.

    The model is built from a config (a dict, or a config file such as
    ``'mmaction::recognition/x3d/x3d_s_13x13x1_facebook-kinetics400-rgb.py'``
    whose ``model`` is used), its checkpoint is loaded with strict key
    matching, the module named by ``tap`` (a dotted path) is captured by a
    forward hook and its output is pooled to (N, D). Layers after the tap
    are not run.

    The teacher stays in eval mode whatever ``train()`` says (frozen BN
    statistics, no dropout), its parameters do not require gradients and
    it runs under ``torch.no_grad``. :class:`HalluciNetRecognizer` keeps it
    out of ``parameters()`` and ``state_dict()``, so it never reaches the
    optimizer, DDP's buckets or the student's checkpoints.

    Args:
        model (dict | str): The teacher's model or backbone config, or a
            config file path (``mmaction::`` prefix allowed).
        checkpoint (str, optional): Path or URL of its weights. Required
            unless ``allow_random_init=True``.
        revise_keys (list[tuple[str, str]]): Regex substitutions applied to
            checkpoint keys before matching. Defaults to stripping a
            ``module.`` prefix.
        strict (bool): Fail on missing or unexpected keys. Defaults to True.
        ignore_prefixes (tuple[str]): Keys (after ``revise_keys``) that
            start with one of these are neither loaded nor required, e.g.
            ``('cls_head.',)`` for a fine-tuned recognizer checkpoint whose
            head the teacher does not use. Defaults to ().
        tap (str, optional): Dotted path of the module whose output is the
            feature. Defaults to ``'backbone'`` when the model has a
            backbone, else the whole model.
        pool (str): ``'avg'`` or ``'max'`` over all dims after the channel
            dim. Defaults to ``'avg'``.
        feat_dim (int, optional): D. When given, no forward runs at build
            time and the first real forward checks it. Defaults to what one
            forward of ``input_shape`` gives.
        input_shape (tuple[int]): (N, C, T, H, W) used to measure D.
            Defaults to (1, 3, 16, 112, 112).
        channels_last (bool): Run in ``channels_last_3d`` memory format (a
            speed-up on recent GPUs). Defaults to False.
        allow_random_init (bool): Allow no checkpoint (a random teacher),
            for cost measurements and tests only. Defaults to False.
    """

    def __init__(self,
                 model: Union[dict, str],
                 checkpoint: Optional[str] = None,
                 revise_keys: Sequence[Tuple[str, str]] = ((r'^module\.',
                                                            ''), ),
                 strict: bool = True,
                 ignore_prefixes: Sequence[str] = (),
                 tap: Optional[str] = None,
                 pool: str = 'avg',
                 feat_dim: Optional[int] = None,
                 input_shape: Sequence[int] = (1, 3, 16, 112, 112),
                 channels_last: bool = False,
                 allow_random_init: bool = False) -> None:
        super().__init__()
        if pool not in ('avg', 'max'):
            raise ValueError(f"pool must be 'avg' or 'max', got {pool}")
        if checkpoint is None and not allow_random_init:
            raise TeacherCheckpointError(
                'FrozenTeacherWrapper needs a checkpoint: a random teacher '
                'gives meaningless targets (set allow_random_init=True only '
                'for cost measurements and tests)')
        model_cfg = load_model_cfg(model)
        self.model = MODELS.build(model_cfg)
        if tap is None:
            tap = 'backbone' if hasattr(self.model, 'backbone') else ''
        self.tap = tap
        self.pool = pool
        self.channels_last = channels_last
        self.checkpoint = checkpoint
        self._run_module, self._tapped = self._resolve_tap(tap)
        self._tapped.register_forward_hook(self._capture)
        self._captured = None
        self._capturing = False

        if checkpoint is not None:
            self._load(checkpoint, revise_keys, strict,
                       tuple(ignore_prefixes))
        # Loaded weights must survive any init_weights() of the parent.
        self._is_init = True
        self.model._is_init = True
        self.requires_grad_(False)
        super().train(False)
        self._dim_checked = feat_dim is None
        self.feat_dim = feat_dim or self._measure_feat_dim(input_shape)

    def _resolve_tap(self, tap: str) -> Tuple[nn.Module, nn.Module]:
        """The module to run and the module whose output is captured."""
        if not tap:
            return self.model, self.model
        try:
            tapped = self.model.get_submodule(tap)
        except AttributeError as err:
            raise ValueError(f'teacher has no module {tap!r}: {err}') from err
        root = tap.split('.')[0]
        # A recognizer is run through the component that holds the tap
        # (usually its backbone); a bare backbone is run whole.
        run = getattr(self.model, root) if hasattr(self.model,
                                                   'backbone') else self.model
        return run, tapped

    def _capture(self, module, inputs, output):
        if not self._capturing:  # the model used directly: no effect
            return None
        if isinstance(output, (tuple, list)):
            output = output[-1]
        self._captured = output
        raise _StopForward

    def _load(self, checkpoint: str, revise_keys, strict: bool,
              ignore_prefixes: Tuple[str, ...]) -> None:
        """Loads ``checkpoint`` with mmengine's ``load_checkpoint``.

        mmengine renames the keys (``revise_keys``) and, with ``strict``,
        refuses missing, unexpected and misshaped keys. Keys under
        ``ignore_prefixes`` (after renaming) are dropped from the
        checkpoint before matching and not required of the model, through
        a load pre-hook and post-hook on the teacher. A mismatch is raised
        as :class:`TeacherCheckpointError` naming the file (and the Hara
        converter, see :mod:`~hallucinet_mm.models.backbones.hara_layout`).
        """
        found = dict(keys=[], missing=[], unexpected=[])

        def drop_ignored(state_dict, prefix, *args):
            if prefix:  # only the teacher itself, which sees every key
                return
            found['keys'] = list(state_dict)
            for key in list(state_dict):
                if key.startswith(ignore_prefixes):
                    del state_dict[key]

        def forgive_ignored(module, incompatible):
            for name in ('missing', 'unexpected'):
                keys = getattr(incompatible, f'{name}_keys')
                keys[:] = [
                    k for k in keys if not k.startswith(ignore_prefixes)
                ]
                found[name] = [
                    k for k in keys if 'num_batches_tracked' not in k
                ]

        hooks = (self.model._register_load_state_dict_pre_hook(drop_ignored),
                 self.model.register_load_state_dict_post_hook(
                     forgive_ignored))
        try:
            load_checkpoint(self.model, checkpoint, map_location='cpu',
                            strict=strict, revise_keys=list(revise_keys))
        except RuntimeError as err:
            problems = [
                line.strip() for line in str(err).splitlines()
                if 'size mismatch' in line or 'No state_dict' in line
            ]
            if found['missing']:
                problems.append(
                    f'missing keys: {_format_keys(found["missing"])}')
            if found['unexpected']:
                problems.append(
                    f'unexpected keys: {_format_keys(found["unexpected"])}')
            hint = ('. ' + hara_hint(checkpoint) if looks_like_hara(
                found['keys']) else
                    ' (use revise_keys to rename, or convert the checkpoint)')
            raise TeacherCheckpointError(
                f'teacher checkpoint {checkpoint} does not match the teacher '
                f'model ({type(self.model).__name__}): ' +
                ' | '.join(problems or [_first_line(err)]) + hint) from err
        finally:
            for hook in hooks:
                hook.remove()

    @torch.no_grad()
    def _measure_feat_dim(self, input_shape: Sequence[int]) -> int:
        param = next(self.model.parameters(), None)
        dtype = param.dtype if param is not None else torch.float32
        return self.forward(torch.zeros(*input_shape, dtype=dtype)).shape[1]

    def train(self, mode: bool = True) -> 'FrozenTeacherWrapper':
        """Stays in eval mode: the teacher's BN and dropout are frozen."""
        return super().train(False)

    def init_weights(self) -> None:
        """Does nothing: the teacher's weights come from its checkpoint."""

    @torch.no_grad()
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Teacher features of clips.

        Args:
            x (Tensor): Clips, (N, C, T, H, W), normalised for the teacher.

        Returns:
            Tensor: phi_t, (N, D).
        """
        if self.channels_last and x.dim() == 5:
            x = x.contiguous(memory_format=torch.channels_last_3d)
        self._captured = None
        self._capturing = True
        try:
            self._run_module(x)
        except _StopForward:
            pass
        finally:
            self._capturing = False
        feat, self._captured = self._captured, None
        if feat is None:
            raise RuntimeError(f'teacher module {self.tap!r} was not run')
        if feat.dim() > 2:
            feat = feat.flatten(2)
            feat = feat.mean(2) if self.pool == 'avg' else feat.amax(2)
        if not self._dim_checked:
            if feat.shape[1] != self.feat_dim:
                raise ValueError(
                    f'teacher module {self.tap!r} gives {feat.shape[1]}-d '
                    f'features but feat_dim={self.feat_dim} was configured')
            self._dim_checked = True
        return feat

    def extra_repr(self) -> str:
        return (f'tap={self.tap!r}, feat_dim={self.feat_dim}, '
                f'pool={self.pool!r}, checkpoint={self.checkpoint!r}')


def build_teacher(cfg: Optional[Dict]) -> Optional[FrozenTeacherWrapper]:
    """Builds a teacher from a config, or returns None."""
    if cfg is None:
        return None
    if isinstance(cfg, nn.Module):
        return cfg
    return MODELS.build(cfg)
