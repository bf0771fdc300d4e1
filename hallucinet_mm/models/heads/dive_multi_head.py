# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Multi-task head for dive recognition and action quality assessment."""
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from mmaction.utils import ConfigType, SampleList
from ...datasets.mtl_aqa import MTL_AQA_DIVE_CLASSES, MTL_AQA_DIVE_FIELDS
from ..losses import build_feature_loss


@MODELS.register_module()
class DiveMultiHead(BaseModule):
    """LSTM head predicting the dive fields and the score of a dive (MTL-AQA).

    The per-frame features of a clip run through an LSTM; its last hidden
    state feeds one linear classifier per dive field (position, armstand,
    rotation type, number of somersaults, number of twists) and a linear
    regressor for the final score. Any subset of the tasks can be used:
    ``fields=dict()`` with ``with_score=True`` is pure action quality
    assessment, ``with_score=False`` pure dive classification.

    Ground truth is read from the data samples: ``dive_labels`` (one class
    index per entry of ``label_order``) and ``final_score`` (the score in
    judges' units). The regressor is trained on ``final_score /
    score_scale``.

    As MMAction2's ``BaseHead``: :meth:`loss` runs :meth:`forward` then
    :meth:`loss_by_feat`, :meth:`predict` runs :meth:`forward` then
    :meth:`predict_by_feat`. The losses are registered modules built from
    ``loss_cls`` and ``loss_score``.

    Args:
        in_channels (int): Number of channels of the per-frame features.
        hidden_channels (int): Hidden size of the LSTM. Defaults to 256.
        num_layers (int): Number of stacked LSTM layers. Defaults to 1.
        fields (dict, optional): Maps each dive field to classify to its
            number of classes; the classifiers and ``pred_dive_labels``
            follow this order. Defaults to None: every MTL-AQA field with
            its class count, from ``MTLAQADataset.METAINFO``.
        with_score (bool): Whether to regress the final score.
            Defaults to True.
        loss_cls (dict): Config of the classification loss (a registered
            loss taking ``(logits, labels)``), one module built per field;
            or a dict keyed by field name giving a field its own config
            (fields left out get ``dict(type='CrossEntropyLoss')``).
            Defaults to ``dict(type='CrossEntropyLoss', loss_weight=1.0)``.
        loss_score (dict | list[dict]): Config of the score loss, a
            registered ``BaseFeatureLoss`` (``HalluciNetMSELoss``,
            ``HalluciNetL1Loss``, ``HalluciNetSmoothL1Loss``); a list sums
            its losses (``[HalluciNetMSELoss, HalluciNetL1Loss]`` is the
            L1 + L2 loss of the MTL-AQA code). Defaults to
            ``dict(type='HalluciNetMSELoss', loss_weight=1.0)``.
        score_scale (float): The score target is ``final_score /
            score_scale``; predictions are multiplied back by it.
            Defaults to 17.0.
        dropout_ratio (float): Dropout probability on the LSTM's last hidden
            state. Defaults to 0.0.
        label_order (Sequence[str]): The field of each entry of the ground
            truth ``dive_labels``. Defaults to the MTL-AQA order,
            ``MTLAQADataset.METAINFO['dive_fields']``.
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to ``dict(type='Normal', layer='Linear', std=0.01)``.

    Raises:
        ValueError: For an invalid configuration.
        TypeError: For a loss config that is not a ``BaseFeatureLoss``.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 256,
                 num_layers: int = 1,
                 fields: Optional[Dict[str, int]] = None,
                 with_score: bool = True,
                 loss_cls: ConfigType = dict(
                     type='CrossEntropyLoss', loss_weight=1.0),
                 loss_score: Union[ConfigType, List[ConfigType]] = dict(
                     type='HalluciNetMSELoss', loss_weight=1.0),
                 score_scale: float = 17.0,
                 dropout_ratio: float = 0.0,
                 label_order: Sequence[str] = MTL_AQA_DIVE_FIELDS,
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Linear', std=0.01)) -> None:
        super().__init__(init_cfg=init_cfg)
        fields = dict(MTL_AQA_DIVE_CLASSES if fields is None else fields)
        self._check_config(in_channels, hidden_channels, num_layers, fields,
                           with_score, score_scale, dropout_ratio,
                           label_order)
        self.in_channels = in_channels
        self.hidden_channels = hidden_channels
        self.num_layers = num_layers
        self.fields = fields
        self.with_score = with_score
        self.score_scale = float(score_scale)
        self.dropout_ratio = dropout_ratio
        self.label_order = tuple(label_order)
        self.loss_cls = self._build_cls_losses(loss_cls)
        self.loss_score = nn.ModuleList(
            build_feature_loss(cfg, 'loss_score')
            for cfg in _as_list(loss_score)) if with_score else None

        self.lstm = nn.LSTM(
            in_channels, hidden_channels, num_layers, batch_first=True)
        self.dropout = nn.Dropout(dropout_ratio) if dropout_ratio > 0 \
            else nn.Identity()
        self.fc_fields = nn.ModuleDict({
            name: nn.Linear(hidden_channels, num_classes)
            for name, num_classes in fields.items()
        })
        self.fc_score = nn.Linear(hidden_channels, 1) if with_score else None

    @staticmethod
    def _check_config(in_channels, hidden_channels, num_layers, fields,
                      with_score, score_scale, dropout_ratio,
                      label_order) -> None:
        """Raises ValueError on an invalid configuration."""
        for name, value in (('in_channels', in_channels),
                            ('hidden_channels', hidden_channels),
                            ('num_layers', num_layers)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(
                    f'{name} must be a positive int, got {value!r}')
        if not fields and not with_score:
            raise ValueError('DiveMultiHead has nothing to predict: `fields` '
                             'is empty and `with_score` is False')
        if '_delete_' in fields:
            raise ValueError(
                'fields holds a `_delete_` key left by a config merge: '
                '`fields=dict(_delete_=True)` only empties the fields a base '
                'config sets (e.g. `fields=None`); use `fields=dict()`')
        for name, num_classes in fields.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise ValueError(
                    f'field names must be identifiers, got {name!r}')
            if name == 'score':
                raise ValueError(
                    "'score' is reserved for the score regressor; use "
                    '`with_score` instead of a field named score')
            if not isinstance(num_classes, int) or num_classes < 2:
                raise ValueError(f'field {name!r} needs an int number of '
                                 f'classes >= 2, got {num_classes!r}')
            if name not in label_order:
                raise ValueError(
                    f'field {name!r} is not in label_order '
                    f'{tuple(label_order)}; set `label_order` to the order '
                    'of the entries of the ground truth `dive_labels`')
        if not score_scale > 0:
            raise ValueError(f'score_scale must be > 0, got {score_scale!r}')
        if not 0 <= dropout_ratio < 1:
            raise ValueError(
                f'dropout_ratio must be in [0, 1), got {dropout_ratio!r}')

    def _build_cls_losses(self, loss_cls: ConfigType) -> nn.ModuleDict:
        """Builds one classification loss per field from ``loss_cls``."""
        if not isinstance(loss_cls, dict):
            raise TypeError('loss_cls must be a loss config dict, or a dict '
                            f'of them keyed by field, got {loss_cls!r}')
        if 'type' in loss_cls:
            per_field = {name: loss_cls for name in self.fields}
        else:
            unknown = sorted(set(loss_cls) - set(self.fields))
            if unknown:
                raise ValueError(
                    f'loss_cls has configs for {unknown}, which are not '
                    f'fields of this head ({list(self.fields)})')
            per_field = {
                name: loss_cls.get(name, dict(type='CrossEntropyLoss'))
                for name in self.fields
            }
        losses = nn.ModuleDict()
        for name, cfg in per_field.items():
            if not isinstance(cfg, dict) or 'type' not in cfg:
                raise TypeError(f'loss_cls of field {name!r} must be a loss '
                                f'config dict with a `type`, got {cfg!r}')
            losses[name] = MODELS.build(cfg)
        return losses

    def forward(self, x: torch.Tensor, num_segs: int,
                **kwargs) -> Dict[str, torch.Tensor]:
        """Runs the LSTM over the frames of each sample and predicts.

        Args:
            x (torch.Tensor): Per-frame features of shape
                ``(N * num_segs, C)`` or ``(N * num_segs, C, 1, 1)``, grouped
                sample-major: sample 0's ``num_segs`` frames come first, in
                temporal order.
            num_segs (int): Number of frames per sample.

        Returns:
            dict[str, torch.Tensor]: Logits of shape ``(N, K)`` for each
            field, and ``'score'`` of shape ``(N,)`` in scaled units
            (``final_score / score_scale``) when ``with_score``.
        """
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f'DiveMultiHead expects a tensor, got {type(x).__name__}')
        if x.dim() > 2:
            if any(s != 1 for s in x.shape[2:]):
                raise ValueError(
                    'DiveMultiHead expects pooled per-frame features of shape '
                    f'(N * num_segs, C) or (N * num_segs, C, 1, 1), got '
                    f'{tuple(x.shape)}')
            x = x.flatten(1)
        if x.dim() != 2 or x.shape[1] != self.in_channels:
            raise ValueError(f'expected features with {self.in_channels} '
                             f'channels, got shape {tuple(x.shape)}')
        num_segs = int(num_segs)
        if num_segs < 1 or x.shape[0] % num_segs != 0:
            raise ValueError(f'{x.shape[0]} frames cannot be grouped into '
                             f'clips of num_segs={num_segs}')

        x = x.reshape(-1, num_segs, self.in_channels)
        _, (h_n, _) = self.lstm(x)
        hidden = self.dropout(h_n[-1])  # last layer, last time step: (N, H)

        outs = {name: fc(hidden) for name, fc in self.fc_fields.items()}
        if self.with_score:
            outs['score'] = self.fc_score(hidden).squeeze(-1)
        return outs

    def _gt_dive_labels(self, data_samples: SampleList,
                        device: torch.device) -> torch.Tensor:
        """Stacks ``dive_labels`` into ``(N, len(label_order))``."""
        labels = []
        for i, value in _sample_values(data_samples, 'dive_labels',
                                       f'fields {list(self.fields)}'):
            label = torch.as_tensor(
                np.asarray(value), dtype=torch.long).reshape(-1)
            if label.numel() != len(self.label_order):
                raise ValueError(
                    f'data sample {i}: `dive_labels` has {label.numel()} '
                    f'entries, expected {len(self.label_order)} '
                    f'({self.label_order})')
            labels.append(label)
        return torch.stack(labels).to(device)

    def _gt_scores(self, data_samples: SampleList,
                   device: torch.device) -> torch.Tensor:
        """Collects ``final_score`` into ``(N,)`` in judges' units."""
        scores = []
        for i, value in _sample_values(data_samples, 'final_score',
                                       'the score'):
            score = np.asarray(value, dtype=np.float64).reshape(-1)
            if score.size != 1:
                raise ValueError(f'data sample {i}: `final_score` must be a '
                                 f'single number, got shape {score.shape}')
            scores.append(float(score[0]))
        return torch.tensor(scores, dtype=torch.float32, device=device)

    def loss(self, feats: torch.Tensor, data_samples: SampleList,
             num_segs: int, **kwargs) -> Dict[str, torch.Tensor]:
        """Computes the losses of all tasks.

        Args:
            feats (torch.Tensor): Per-frame features, see :meth:`forward`.
            data_samples (list[:obj:`ActionDataSample`]): The batch data
                samples, with ``dive_labels`` and/or ``final_score``.
            num_segs (int): Number of frames per sample.

        Returns:
            dict[str, torch.Tensor]: ``loss_<field>`` (the field's
            ``loss_cls``), ``loss_score`` (the sum of the ``loss_score``
            losses), and for logging ``acc_<field>`` (top-1 accuracy as a
            fraction) and ``mae_score`` (mean absolute error in judges'
            units).
        """
        return self.loss_by_feat(self(feats, num_segs=num_segs), data_samples)

    def loss_by_feat(self, outs: Dict[str, torch.Tensor],
                     data_samples: SampleList) -> Dict[str, torch.Tensor]:
        """Computes the losses of all tasks from the head's outputs.

        Args:
            outs (dict[str, torch.Tensor]): The output of :meth:`forward`.
            data_samples (list[:obj:`ActionDataSample`]): The batch data
                samples, with ``dive_labels`` and/or ``final_score``.

        Returns:
            dict[str, torch.Tensor]: See :meth:`loss`.
        """
        device = next(iter(outs.values())).device
        losses = dict()

        if self.fields:
            gt_labels = self._gt_dive_labels(data_samples, device)
            for name, num_classes in self.fields.items():
                logits = outs[name]
                target = gt_labels[:, self.label_order.index(name)]
                bad = (target < 0) | (target >= num_classes)
                if bad.any():
                    raise ValueError(
                        f'`dive_labels` of field {name!r} must be in '
                        f'[0, {num_classes}), got {target[bad].tolist()}')
                losses[f'loss_{name}'] = self.loss_cls[name](logits, target)
                losses[f'acc_{name}'] = (logits.detach().argmax(-1) ==
                                         target).float().mean()

        if self.with_score:
            pred = outs['score']
            gt_score = self._gt_scores(data_samples, device)
            target = gt_score / self.score_scale
            losses['loss_score'] = sum(
                loss(pred, target) for loss in self.loss_score)
            losses['mae_score'] = (pred.detach() * self.score_scale -
                                   gt_score).abs().mean()
        return losses

    def predict(self, feats: torch.Tensor, data_samples: SampleList,
                num_segs: int, **kwargs) -> SampleList:
        """Predicts the dive fields and the score of each sample.

        Args:
            feats (torch.Tensor): Per-frame features, see :meth:`forward`.
            data_samples (list[:obj:`ActionDataSample`]): The batch data
                samples.
            num_segs (int): Number of frames per sample.

        Returns:
            list[:obj:`ActionDataSample`]: ``data_samples`` with
            ``pred_dive_labels`` (LongTensor of shape ``(len(fields),)``,
            the argmax class of each field in ``fields`` order; set when
            ``fields`` is not empty) and ``pred_score`` (0-d float tensor in
            judges' units, i.e. the regressor output times ``score_scale``;
            set when ``with_score``).
        """
        return self.predict_by_feat(
            self(feats, num_segs=num_segs), data_samples)

    def predict_by_feat(self, outs: Dict[str, torch.Tensor],
                        data_samples: SampleList) -> SampleList:
        """Stores the predictions of the head's outputs on the samples.

        Args:
            outs (dict[str, torch.Tensor]): The output of :meth:`forward`.
            data_samples (list[:obj:`ActionDataSample`]): The batch data
                samples.

        Returns:
            list[:obj:`ActionDataSample`]: See :meth:`predict`.
        """
        num_samples = len(data_samples)
        if self.fields:
            pred_labels = torch.stack(
                [outs[name].detach().argmax(-1) for name in self.fields],
                dim=1)
            _check_batch(pred_labels, num_samples)
            for sample, labels in zip(data_samples, pred_labels):
                sample.set_field(labels, 'pred_dive_labels')
        if self.with_score:
            pred_scores = outs['score'].detach() * self.score_scale
            _check_batch(pred_scores, num_samples)
            for sample, score in zip(data_samples, pred_scores):
                sample.set_field(score, 'pred_score')
        return data_samples


def _as_list(cfg) -> list:
    """A loss config, or a list of them, as a non-empty list."""
    cfgs = list(cfg) if isinstance(cfg, (list, tuple)) else [cfg]
    if not cfgs:
        raise ValueError('loss_score must name at least one loss')
    return cfgs


def _to_numpy(value):
    """Returns ``value`` as something ``np.asarray`` accepts."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return value


def _sample_values(data_samples: SampleList, key: str, purpose: str):
    """Yields ``(i, value)``: each sample's ``key``, as :func:`_to_numpy`
    gives it; a sample without it raises ``KeyError`` saying the head needs
    it for ``purpose`` (e.g. ``'the score'``)."""
    for i, sample in enumerate(data_samples):
        if key not in sample:
            raise KeyError(
                f'data sample {i} has no `{key}`, needed by DiveMultiHead to '
                f"train {purpose}; add '{key}' to PackActionInputs' "
                'algorithm_keys')
        yield i, _to_numpy(getattr(sample, key))


def _check_batch(preds: torch.Tensor, num_samples: int) -> None:
    """Checks that there is one prediction per data sample."""
    if preds.shape[0] != num_samples:
        raise ValueError(
            f'got {preds.shape[0]} clips for {num_samples} data samples; '
            'DiveMultiHead treats all num_segs frames of a sample as one '
            'sequence, so the test pipeline must give one clip per sample')

