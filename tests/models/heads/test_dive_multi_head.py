# Copyright (c) hallucinet_mm contributors. All rights reserved.
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import hallucinet_mm  # noqa: F401  (applies the compat fix first)
from hallucinet_mm.datasets import MTLAQADataset
from hallucinet_mm.models.heads import DiveMultiHead
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

FIELDS = dict(position=3, armstand=2, rotation_type=4, ss_no=10, tw_no=8)
ORDER = tuple(FIELDS)


def _samples(labels, scores):
    samples = []
    for label, score in zip(labels, scores):
        sample = ActionDataSample()
        if label is not None:
            sample.set_field(label, 'dive_labels')
        if score is not None:
            sample.set_field(score, 'final_score')
        samples.append(sample)
    return samples


def _batch(n=3, seed=0):
    rng = np.random.RandomState(seed)
    labels = [
        np.array([rng.randint(k) for k in FIELDS.values()], dtype=np.int64)
        for _ in range(n)
    ]
    scores = [float(rng.uniform(20, 100)) for _ in range(n)]
    return labels, scores


def _head(**kwargs):
    torch.manual_seed(0)
    cfg = dict(type='DiveMultiHead', in_channels=8, hidden_channels=6)
    cfg.update(kwargs)
    head = MODELS.build(cfg)
    assert isinstance(head, DiveMultiHead)
    head.init_weights()
    return head


def test_forward_shapes_and_4d_input():
    head = _head()
    n, t = 3, 5
    x = torch.randn(n * t, 8)
    outs = head(x, num_segs=t)
    assert set(outs) == set(FIELDS) | {'score'}
    for name, k in FIELDS.items():
        assert outs[name].shape == (n, k)
    assert outs['score'].shape == (n, )
    outs4d = head(x[:, :, None, None], num_segs=t)
    for key in outs:
        torch.testing.assert_close(outs4d[key], outs[key])


def test_uses_last_hidden_state_of_lstm():
    head = _head()
    n, t = 2, 6
    x = torch.randn(n * t, 8)
    outs = head(x, num_segs=t)

    # The same computation written out: LSTM over each sample's frames,
    # the last time step's output feeds the linear layers.
    seq = x.view(n, t, 8)
    out, _ = head.lstm(seq)
    last = out[:, -1]
    torch.testing.assert_close(outs['position'],
                               head.fc_fields['position'](last))
    torch.testing.assert_close(outs['score'],
                               head.fc_score(last).squeeze(-1))

    # Frame order matters (an LSTM, not an average), and samples are
    # grouped sample-major: changing sample 1's frames leaves sample 0 alone.
    perm = torch.arange(t).flip(0)
    x_perm = seq[:, perm].reshape(n * t, 8)
    outs_perm = head(x_perm, num_segs=t)
    assert not torch.allclose(outs_perm['score'], outs['score'])
    x2 = seq.clone()
    x2[1] = torch.randn(t, 8)
    outs2 = head(x2.reshape(n * t, 8), num_segs=t)
    torch.testing.assert_close(outs2['score'][0], outs['score'][0])
    assert not torch.allclose(outs2['score'][1], outs['score'][1])


def test_fields_default_to_the_datasets_metainfo():
    head = _head()
    meta = MTLAQADataset.METAINFO
    assert tuple(head.fields) == tuple(meta['dive_fields'])
    assert tuple(head.fields.values()) == tuple(meta['dive_num_classes'])
    assert head.label_order == tuple(meta['dive_fields'])
    assert head.fields == FIELDS


@pytest.mark.parametrize(
    'loss_score',
    [dict(type='HalluciNetMSELoss', loss_weight=1.0),
     [dict(type='HalluciNetMSELoss'), dict(type='HalluciNetL1Loss')]],
    ids=['l2', 'l1+l2'])
def test_losses_match_formulas(loss_score):
    head = _head(loss_score=loss_score)
    n, t = 3, 4
    x = torch.randn(n * t, 8)
    labels, scores = _batch(n)
    losses = head.loss(x, _samples(labels, scores), num_segs=t)
    outs = head(x, num_segs=t)

    gt = torch.from_numpy(np.stack(labels))
    for i, name in enumerate(ORDER):
        expected = F.cross_entropy(outs[name], gt[:, i])
        torch.testing.assert_close(losses[f'loss_{name}'], expected)
        acc = (outs[name].argmax(1) == gt[:, i]).float().mean()
        torch.testing.assert_close(losses[f'acc_{name}'], acc)
    target = torch.tensor(scores, dtype=torch.float32) / 17.0
    expected = F.mse_loss(outs['score'], target)
    if isinstance(loss_score, list):
        expected = expected + F.l1_loss(outs['score'], target)
    torch.testing.assert_close(losses['loss_score'], expected)
    mae = (outs['score'] * 17.0 - torch.tensor(scores)).abs().mean()
    torch.testing.assert_close(losses['mae_score'], mae)
    # Only keys with 'loss' in their name are summed by mmengine.
    assert {k for k in losses if 'loss' in k} == \
        {f'loss_{f}' for f in FIELDS} | {'loss_score'}

    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    total.backward()
    assert head.lstm.weight_ih_l0.grad is not None


def test_loss_weights_and_gt_formats():
    n, t = 2, 3
    x = torch.randn(n * t, 8)
    labels, scores = _batch(n, seed=1)
    plain = _head().loss(x, _samples(labels, scores), num_segs=t)
    weights = dict(position=0.5, tw_no=0.0, score=3.0)
    # Labels as list / tensor, scores as 0-d tensor / numpy scalar.
    samples = _samples([labels[0].tolist(), torch.from_numpy(labels[1])],
                       [torch.tensor(scores[0]), np.float64(scores[1])])
    # Per-field loss configs; fields left out get CrossEntropyLoss.
    loss_cls = dict(
        position=dict(type='CrossEntropyLoss', loss_weight=0.5),
        tw_no=dict(type='CrossEntropyLoss', loss_weight=0.0))
    weighted = _head(
        loss_cls=loss_cls,
        loss_score=dict(type='HalluciNetMSELoss', loss_weight=3.0)).loss(
            x, samples, num_segs=t)
    for name in list(FIELDS) + ['score']:
        w = weights.get(name, 1.0)
        torch.testing.assert_close(weighted[f'loss_{name}'],
                                   w * plain[f'loss_{name}'])


def test_loss_and_predict_split_into_forward_and_by_feat():
    """As BaseHead: loss = loss_by_feat(forward), predict likewise."""
    head = _head(loss_score=dict(type='HalluciNetSmoothL1Loss', beta=0.1))
    n, t = 2, 3
    x = torch.randn(n * t, 8)
    labels, scores = _batch(n)
    outs = head(x, num_segs=t)
    by_feat = head.loss_by_feat(outs, _samples(labels, scores))
    for key, value in head.loss(x, _samples(labels, scores), t).items():
        torch.testing.assert_close(value, by_feat[key])
    target = torch.tensor(scores, dtype=torch.float32) / 17.0
    torch.testing.assert_close(
        by_feat['loss_score'],
        F.smooth_l1_loss(outs['score'], target, beta=0.1))
    direct = head.predict_by_feat(outs, _samples([None] * n, [None] * n))
    via = head.predict(x, _samples([None] * n, [None] * n), num_segs=t)
    for a, b in zip(direct, via):
        assert a.pred_dive_labels.tolist() == b.pred_dive_labels.tolist()
        torch.testing.assert_close(a.pred_score, b.pred_score)


def test_predict_stores_labels_and_unscaled_score():
    head = _head(score_scale=10.0)
    n, t = 3, 4
    x = torch.randn(n * t, 8)
    outs = head(x, num_segs=t)
    samples = head.predict(x, _samples([None] * n, [None] * n), num_segs=t)
    assert len(samples) == n
    for i, sample in enumerate(samples):
        assert sample.pred_dive_labels.dtype == torch.long
        assert sample.pred_dive_labels.shape == (len(FIELDS), )
        expected = [int(outs[name][i].argmax()) for name in FIELDS]
        assert sample.pred_dive_labels.tolist() == expected
        assert sample.pred_score.shape == ()
        torch.testing.assert_close(sample.pred_score,
                                   outs['score'][i].detach() * 10.0)


def test_pure_aqa_and_pure_classification():
    n, t = 2, 3
    x = torch.randn(n * t, 8)
    labels, scores = _batch(n)

    aqa = _head(fields=dict())
    assert set(aqa(x, num_segs=t)) == {'score'}
    # Pure AQA needs no dive labels.
    losses = aqa.loss(x, _samples([None] * n, scores), num_segs=t)
    assert set(losses) == {'loss_score', 'mae_score'}
    sample = aqa.predict(x, _samples([None] * n, [None] * n), t)[0]
    assert 'pred_score' in sample and 'pred_dive_labels' not in sample

    cls = _head(fields=dict(ss_no=10, position=3), with_score=False)
    outs = cls(x, num_segs=t)
    assert set(outs) == {'ss_no', 'position'}
    losses = cls.loss(x, _samples(labels, [None] * n), num_segs=t)
    gt = torch.from_numpy(np.stack(labels))
    # Picked from dive_labels by name (label_order), not by position.
    torch.testing.assert_close(
        losses['loss_ss_no'],
        F.cross_entropy(outs['ss_no'], gt[:, ORDER.index('ss_no')]))
    sample = cls.predict(x, _samples([None] * n, [None] * n), t)[0]
    assert 'pred_score' not in sample
    assert sample.pred_dive_labels.tolist() == [
        int(outs['ss_no'][0].argmax()),
        int(outs['position'][0].argmax())
    ]


def test_missing_ground_truth_is_named():
    head = _head()
    x = torch.randn(6, 8)
    labels, scores = _batch(2)
    with pytest.raises(KeyError, match='dive_labels'):
        head.loss(x, _samples([None, None], scores), num_segs=3)
    with pytest.raises(KeyError, match='final_score'):
        head.loss(x, _samples(labels, [None, None]), num_segs=3)
    with pytest.raises(ValueError, match='entries'):
        head.loss(x, _samples([[0, 1], [0, 1]], scores), num_segs=3)
    bad = [np.array([5, 0, 0, 0, 0])] * 2
    with pytest.raises(ValueError, match='position'):
        head.loss(x, _samples(bad, scores), num_segs=3)


@pytest.mark.parametrize('kwargs,match', [
    (dict(fields=dict(), with_score=False), 'nothing to predict'),
    (dict(score_scale=0), 'score_scale'),
    (dict(loss_cls=dict(height=dict(type='CrossEntropyLoss'))), 'height'),
    (dict(fields=dict(), loss_cls=dict(position=dict(type='CrossEntropyLoss'
                                                     ))), 'position'),
    (dict(loss_score=dict(type='HalluciNetMSELoss', loss_weight=-1.0)),
     'HalluciNetMSELoss: loss_weight'),
    (dict(loss_score=[]), 'loss_score must name'),
    (dict(fields=dict(position=1)), 'position'),
    (dict(fields=dict(score=3)), 'reserved'),
    (dict(fields=dict(height=3)), 'label_order'),
    (dict(fields=dict(_delete_=True)), 'left by a config merge'),
    (dict(in_channels=0), 'in_channels'),
    (dict(num_layers=0), 'num_layers'),
    (dict(dropout_ratio=1.0), 'dropout_ratio'),
])
def test_invalid_config(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _head(**kwargs)


@pytest.mark.parametrize('kwargs,match', [
    # Arguments of no loss config (score_loss, loss_weights) are refused.
    (dict(score_loss='l2'), "unexpected keyword argument 'score_loss'"),
    (dict(loss_weights=dict(score=2.0)),
     "unexpected keyword argument 'loss_weights'"),
    (dict(loss_cls='CrossEntropyLoss'), 'loss_cls must be a loss config'),
    (dict(loss_cls=dict(position=3)), "loss_cls of field 'position'"),
    (dict(loss_score=dict(type='CrossEntropyLoss')),
     'loss_score: CrossEntropyLoss is not a BaseFeatureLoss'),
])
def test_old_or_wrong_loss_arguments_are_type_errors(kwargs, match):
    with pytest.raises(TypeError, match=match):
        _head(**kwargs)


def test_invalid_inputs():
    head = _head()
    with pytest.raises(ValueError, match='num_segs'):
        head(torch.randn(7, 8), num_segs=3)
    with pytest.raises(ValueError, match='channels'):
        head(torch.randn(6, 9), num_segs=3)
    with pytest.raises(ValueError, match='pooled'):
        head(torch.randn(6, 8, 2, 2), num_segs=3)
    with pytest.raises(ValueError, match='one clip per sample'):
        head.predict(torch.randn(12, 8), _samples([None] * 2, [None] * 2),
                     num_segs=3)


def test_multi_layer_and_dropout_run():
    head = _head(num_layers=2, dropout_ratio=0.5)
    head.train()
    x = torch.randn(6, 8)
    labels, scores = _batch(2)
    losses = head.loss(x, _samples(labels, scores), num_segs=3)
    assert torch.isfinite(losses['loss_score'])
    head.eval()
    torch.testing.assert_close(head(x, 3)['score'], head(x, 3)['score'])
