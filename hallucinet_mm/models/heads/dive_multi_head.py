# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Multi-task head for dive recognition and action quality assessment."""
from typing import Dict, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from mmaction.utils import SampleList

#: The order of ``dive_labels`` produced by ``MTLAQADataset``.
MTL_AQA_DIVE_FIELDS = ('position', 'armstand', 'rotation_type', 'ss_no',
                       'tw_no')


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

    Args:
        in_channels (int): Number of channels of the per-frame features.
        hidden_channels (int): Hidden size of the LSTM. Defaults to 256.
        num_layers (int): Number of stacked LSTM layers. Defaults to 1.
        fields (dict): Maps each dive field to classify to its number of
            classes; the classifiers and ``pred_dive_labels`` follow this
            order. Defaults to ``dict(position=3, armstand=2,
            rotation_type=4, ss_no=10, tw_no=8)``.
        with_score (bool): Whether to regress the final score.
            Defaults to True.
        score_loss (str): ``'l2'`` (mean squared error) or ``'l1+l2'``
            (mean squared plus mean absolute error). Defaults to ``'l2'``.
        score_scale (float): The score target is ``final_score /
            score_scale``; predictions are multiplied back by it.
            Defaults to 17.0.
        loss_weights (dict, optional): Weight of each loss term by field
            name, ``'score'`` included; missing ones weigh 1.0.
            Defaults to None.
        dropout_ratio (float): Dropout probability on the LSTM's last hidden
            state. Defaults to 0.0.
        label_order (Sequence[str]): The field of each entry of the ground
            truth ``dive_labels``. Defaults to the MTL-AQA order
            ``('position', 'armstand', 'rotation_type', 'ss_no', 'tw_no')``.
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to ``dict(type='Normal', layer='Linear', std=0.01)``.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 256,
                 num_layers: int = 1,
                 fields: Dict[str, int] = dict(
                     position=3,
                     armstand=2,
                     rotation_type=4,
                     ss_no=10,
                     tw_no=8),
                 with_score: bool = True,
                 score_loss: str = 'l2',
                 score_scale: float = 17.0,
                 loss_weights: Optional[Dict[str, float]] = None,
                 dropout_ratio: float = 0.0,
                 label_order: Sequence[str] = MTL_AQA_DIVE_FIELDS,
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Linear', std=0.01)) -> None:
        super().__init__(init_cfg=init_cfg)
        fields = dict(fields or {})
        self._check_config(in_channels, hidden_channels, num_layers, fields,
                           with_score, score_loss, score_scale,
                           dropout_ratio, label_order)
        self.in_channels = in_channels
        self.hidden_channels = hidden_channels
        self.num_layers = num_layers
        self.fields = fields
        self.with_score = with_score
        self.score_loss = score_loss
        self.score_scale = float(score_scale)
        self.dropout_ratio = dropout_ratio
        self.label_order = tuple(label_order)
        self.loss_weights = self._parse_loss_weights(loss_weights)

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
                      with_score, score_loss, score_scale, dropout_ratio,
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
        if score_loss not in ('l2', 'l1+l2'):
            raise ValueError(
                f"score_loss must be 'l2' or 'l1+l2', got {score_loss!r}")
        if not score_scale > 0:
            raise ValueError(f'score_scale must be > 0, got {score_scale!r}')
        if not 0 <= dropout_ratio < 1:
            raise ValueError(
                f'dropout_ratio must be in [0, 1), got {dropout_ratio!r}')

    def _parse_loss_weights(
            self,
            loss_weights: Optional[Dict[str, float]]) -> Dict[str, float]:
        """Returns the weight of every task, 1.0 unless configured."""
        tasks = list(self.fields) + (['score'] if self.with_score else [])
        loss_weights = dict(loss_weights or {})
        unknown = sorted(set(loss_weights) - set(tasks))
        if unknown:
            raise ValueError(f'loss_weights has keys {unknown} that are not '
                             f'predicted by this head (tasks: {tasks})')
        weights = {}
        for task in tasks:
            weight = float(loss_weights.get(task, 1.0))
            if weight < 0:
                raise ValueError(
                    f'loss weight of {task!r} must be >= 0, got {weight}')
            weights[task] = weight
        return weights

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
        for i, sample in enumerate(data_samples):
            if 'dive_labels' not in sample:
                raise KeyError(
                    f'data sample {i} has no `dive_labels`, needed by '
                    f'DiveMultiHead to train fields {list(self.fields)}; add '
                    "'dive_labels' to PackActionInputs' algorithm_keys")
            label = torch.as_tensor(
                np.asarray(_to_numpy(sample.dive_labels)),
                dtype=torch.long).reshape(-1)
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
        for i, sample in enumerate(data_samples):
            if 'final_score' not in sample:
                raise KeyError(
                    f'data sample {i} has no `final_score`, needed by '
                    "DiveMultiHead to train the score; add 'final_score' to "
                    "PackActionInputs' algorithm_keys")
            score = np.asarray(_to_numpy(sample.final_score),
                               dtype=np.float64).reshape(-1)
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
            dict[str, torch.Tensor]: ``loss_<field>`` (weighted cross
            entropy), ``loss_score`` (weighted MSE, plus L1 for
            ``'l1+l2'``), and for logging ``acc_<field>`` (top-1 accuracy
            as a fraction) and ``mae_score`` (mean absolute error in judges'
            units).
        """
        outs = self(feats, num_segs=num_segs)
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
                losses[f'loss_{name}'] = self.loss_weights[name] * \
                    F.cross_entropy(logits, target)
                losses[f'acc_{name}'] = (logits.detach().argmax(-1) ==
                                         target).float().mean()

        if self.with_score:
            pred = outs['score']
            gt_score = self._gt_scores(data_samples, device)
            target = gt_score / self.score_scale
            loss_score = F.mse_loss(pred, target)
            if self.score_loss == 'l1+l2':
                loss_score = loss_score + F.l1_loss(pred, target)
            losses['loss_score'] = self.loss_weights['score'] * loss_score
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
        outs = self(feats, num_segs=num_segs)
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


def _to_numpy(value):
    """Returns ``value`` as something ``np.asarray`` accepts."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return value


def _check_batch(preds: torch.Tensor, num_samples: int) -> None:
    """Checks that there is one prediction per data sample."""
    if preds.shape[0] != num_samples:
        raise ValueError(
            f'got {preds.shape[0]} clips for {num_samples} data samples; '
            'DiveMultiHead treats all num_segs frames of a sample as one '
            'sequence, so the test pipeline must give one clip per sample')

