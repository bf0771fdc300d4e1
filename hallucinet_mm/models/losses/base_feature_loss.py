# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The shared frame of the regression losses: weighting and reduction.

The weighting is MMAction2's :class:`~mmaction.models.losses.BaseWeightedLoss`
(``forward`` multiplies ``_forward`` by ``loss_weight``); this adds the
checks, the per-sample loss and the reduction.
"""
import math
import numbers
from typing import Callable, Optional

import torch

from mmaction.models.losses import BaseWeightedLoss
from mmaction.registry import MODELS
from mmaction.utils import ConfigType

REDUCTIONS = ('mean', 'sum', 'none')


class BaseFeatureLoss(BaseWeightedLoss):
    """``loss_weight`` times a per-sample loss, reduced over the batch.

    A subclass sets ``_elementwise`` (a ``torch.nn.functional`` loss taking
    ``reduction='none'``), overrides :meth:`elementwise` (the loss of each
    element, same shape as its inputs) or, for a loss that is not a mean
    over elements, overrides :meth:`per_sample`. The per-sample loss of an
    ``(N, ...)`` input is the mean over all but the first dimension, so
    ``'mean'`` is the mean over all elements; a 1-d ``(N, )`` input (e.g. a
    score) is its own per-sample loss.

    Args:
        loss_weight (float): Factor of the loss. Defaults to 1.0.
        reduction (str): ``'mean'`` (over samples), ``'sum'`` or ``'none'``
            (one value per sample, shape ``(N, )``). Defaults to ``'mean'``.
    """

    _elementwise: Optional[Callable] = None

    def __init__(self,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean') -> None:
        super().__init__()
        name = type(self).__name__
        if (not isinstance(loss_weight, numbers.Real)
                or isinstance(loss_weight, bool)
                or not math.isfinite(loss_weight) or loss_weight < 0):
            raise ValueError(f'{name}: loss_weight must be a finite number '
                             f'>= 0, got {loss_weight!r}')
        _check_reduction(name, reduction)
        super().__init__(loss_weight=float(loss_weight))
        self.reduction = reduction

    def elementwise(self, pred: torch.Tensor,
                    target: torch.Tensor) -> torch.Tensor:
        """The loss of each element (float32 inputs, same shape).

        Args:
            pred (torch.Tensor): Predictions.
            target (torch.Tensor): Targets.

        Returns:
            torch.Tensor: The element losses, shape of ``pred``.
        """
        if self._elementwise is None:
            raise NotImplementedError(
                f'{type(self).__name__} defines no element loss')
        return self._elementwise(pred, target, reduction='none')

    def per_sample(self, pred: torch.Tensor,
                   target: torch.Tensor) -> torch.Tensor:
        """The unweighted loss of each sample.

        Args:
            pred (torch.Tensor): Predictions, ``(N, ...)``.
            target (torch.Tensor): Targets of the same shape.

        Returns:
            torch.Tensor: float32, shape ``(N, )``.

        Raises:
            ValueError: If the shapes differ or the input is 0-d.
        """
        pred, target = self._check_inputs(pred, target)
        loss = self.elementwise(pred, target)
        return loss if loss.dim() == 1 else loss.flatten(1).mean(1)

    def _forward(self,
                 pred: torch.Tensor,
                 target: torch.Tensor,
                 reduction_override: Optional[str] = None) -> torch.Tensor:
        """The reduced loss; ``forward`` (MMAction2's) weights it.

        Args:
            pred (torch.Tensor): Predictions, ``(N, ...)``.
            target (torch.Tensor): Targets of the same shape.
            reduction_override (str, optional): Replaces ``reduction`` for
                this call. Defaults to None.

        Returns:
            torch.Tensor: A scalar, or ``(N, )`` for ``'none'``.
        """
        reduction = reduction_override or self.reduction
        _check_reduction(type(self).__name__, reduction)
        loss = self.per_sample(pred, target)
        if reduction == 'mean':
            loss = loss.mean()
        elif reduction == 'sum':
            loss = loss.sum()
        return loss

    def _check_inputs(self, pred: torch.Tensor, target: torch.Tensor):
        """Checks the shapes; returns both as float32."""
        name = type(self).__name__
        if pred.shape != target.shape:
            raise ValueError(f'{name}: predictions {tuple(pred.shape)} and '
                             f'targets {tuple(target.shape)} differ in shape')
        if pred.dim() == 0:
            raise ValueError(f'{name} needs a batch dimension, got 0-d '
                             'tensors')
        return pred.float(), target.float()

    def extra_repr(self) -> str:
        """The loss weight and reduction, shown by ``repr``."""
        return f'loss_weight={self.loss_weight}, reduction={self.reduction!r}'


def _check_reduction(name: str, reduction: str) -> None:
    """Raises ValueError for an unknown reduction."""
    if reduction not in REDUCTIONS:
        raise ValueError(f'{name}: reduction must be one of {REDUCTIONS}, '
                         f'got {reduction!r}')


def build_feature_loss(cfg: ConfigType, arg_name: str) -> BaseFeatureLoss:
    """Builds a registered :class:`BaseFeatureLoss` from its config.

    Args:
        cfg (dict): The loss config, with ``type``.
        arg_name (str): The head argument it comes from, for errors.

    Returns:
        BaseFeatureLoss: The loss module.

    Raises:
        TypeError: If ``cfg`` is not a config of such a loss.
    """
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise TypeError(f'{arg_name} must be a loss config dict with a '
                        "`type`, e.g. dict(type='HalluciNetMSELoss', "
                        'loss_weight=1.0), '
                        f'got {cfg!r}')
    loss = MODELS.build(cfg)
    if not isinstance(loss, BaseFeatureLoss):
        raise TypeError(
            f'{arg_name}: {type(loss).__name__} is not a BaseFeatureLoss '
            '(hallucinet_mm.models.losses); it needs `loss_weight` and '
            '`per_sample`')
    return loss
