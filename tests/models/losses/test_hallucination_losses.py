# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The registered hallucination/regression losses against written-out
formulas (and torch.nn.functional where it applies)."""
import math

import pytest
import torch
import torch.nn.functional as F

import hallucinet_mm  # noqa: F401  (registers the losses)
from hallucinet_mm.models.losses import (BaseFeatureLoss, HalluciNetCosineLoss,
                                         HallucinationLoss, HalluciNetL1Loss,
                                         HalluciNetMSELoss,
                                         HalluciNetSmoothL1Loss,
                                         build_feature_loss)
from mmaction.registry import MODELS


def _sigmoid(x):
    return 1.0 / (1.0 + torch.exp(-x))


def _smooth_l1(d, beta):
    d = d.abs()
    return torch.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)


def _cosine_distance(s, t):
    dot = (s * t).sum(1)
    norms = torch.sqrt((s * s).sum(1)) * torch.sqrt((t * t).sum(1))
    return 1 - dot / norms


# (config, per-sample formula in float64, torch.nn.functional's mean or None)
CASES = [
    (dict(type='HallucinationLoss', loss_weight=50.0), lambda s, t: (
        (_sigmoid(s) - _sigmoid(t))**2).mean(1),
     lambda s, t: F.mse_loss(torch.sigmoid(s), torch.sigmoid(t))),
    (dict(type='HalluciNetMSELoss', loss_weight=2.0), lambda s, t:
     ((s - t)**2).mean(1), F.mse_loss),
    (dict(type='HalluciNetL1Loss', loss_weight=0.5), lambda s, t:
     (s - t).abs().mean(1), F.l1_loss),
    (dict(type='HalluciNetSmoothL1Loss', beta=0.5,
          loss_weight=3.0), lambda s, t: _smooth_l1(s - t, 0.5).mean(1),
     lambda s, t: F.smooth_l1_loss(s, t, beta=0.5)),
    (dict(type='HalluciNetCosineLoss',
          loss_weight=4.0), _cosine_distance, lambda s, t:
     (1 - F.cosine_similarity(s, t, dim=1)).mean()),
]


@pytest.fixture
def feats():
    gen = torch.Generator().manual_seed(0)
    phi_s = torch.randn(4, 10, generator=gen)
    phi_t = torch.randn(4, 10, generator=gen) * 3
    return phi_s, phi_t


@pytest.mark.parametrize('cfg,formula,functional',
                         CASES,
                         ids=[c[0]['type'] for c in CASES])
def test_loss_matches_formula(feats, cfg, formula, functional):
    phi_s, phi_t = feats
    loss = MODELS.build(cfg)
    assert isinstance(loss, BaseFeatureLoss)
    weight = cfg['loss_weight']
    expected = formula(phi_s.double(), phi_t.double())

    per_sample = loss.per_sample(phi_s, phi_t)
    assert per_sample.shape == (4, ) and per_sample.dtype == torch.float32
    torch.testing.assert_close(per_sample.double(),
                               expected,
                               atol=1e-6,
                               rtol=1e-5)
    torch.testing.assert_close(loss(phi_s, phi_t,
                                    reduction_override='none').double(),
                               weight * expected,
                               atol=1e-5,
                               rtol=1e-5)
    mean = loss(phi_s, phi_t)
    assert mean.shape == ()
    torch.testing.assert_close(mean.double(),
                               weight * expected.mean(),
                               atol=1e-5,
                               rtol=1e-5)
    torch.testing.assert_close(loss(phi_s, phi_t,
                                    reduction_override='sum').double(),
                               weight * expected.sum(),
                               atol=1e-5,
                               rtol=1e-5)
    torch.testing.assert_close(mean, weight * functional(phi_s, phi_t))
    assert float(loss(phi_t, phi_t)) == pytest.approx(0.0, abs=1e-6)


def test_gradients_and_half_inputs(feats):
    phi_s, phi_t = feats
    phi_s = phi_s.clone().requires_grad_()
    HallucinationLoss()(phi_s, phi_t).backward()
    # d/ds 50 * mean((sig(s) - sig(t))^2) = 100 (sig(s) - sig(t)) sig'(s) / n
    sig_s, sig_t = _sigmoid(phi_s.detach()), _sigmoid(phi_t)
    expected = 100 * (sig_s - sig_t) * sig_s * (1 - sig_s) / phi_s.numel()
    torch.testing.assert_close(phi_s.grad, expected)
    half = HalluciNetMSELoss()(phi_s.detach().half(), phi_t.half())
    assert half.dtype == torch.float32


def test_reduction_in_config_and_1d_scores():
    loss = HalluciNetMSELoss(loss_weight=2.0, reduction='none')
    pred, target = torch.tensor([1.0, 2.0, 4.0]), torch.tensor([0., 0., 1.])
    # A 1-d (N, ) input, e.g. a score, is its own per-sample loss.
    torch.testing.assert_close(loss(pred, target),
                               torch.tensor([2.0, 8.0, 18.0]))
    torch.testing.assert_close(HalluciNetL1Loss()(pred, target),
                               torch.tensor(2.0))
    with pytest.raises(ValueError, match='HalluciNetCosineLoss needs'):
        HalluciNetCosineLoss()(pred, target)


def test_default_hallucination_weight_is_the_papers_lambda():
    assert HallucinationLoss().loss_weight == 50.0
    assert 'loss_weight=50.0' in repr(HallucinationLoss())


@pytest.mark.parametrize('make,match', [
    (lambda: HalluciNetMSELoss(loss_weight=-1),
     'HalluciNetMSELoss: loss_weight'),
    (lambda: HallucinationLoss(loss_weight=math.nan), 'loss_weight'),
    (lambda: HalluciNetMSELoss(loss_weight=True), 'loss_weight'),
    (lambda: HalluciNetL1Loss(reduction='avg'), 'HalluciNetL1Loss: reduction'),
    (lambda: HalluciNetSmoothL1Loss(beta=0), 'beta'),
])
def test_invalid_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_invalid_inputs(feats):
    phi_s, phi_t = feats
    with pytest.raises(ValueError, match=r'HallucinationLoss.*\(4, 9\)'):
        HallucinationLoss()(phi_s[:, :9], phi_t)
    with pytest.raises(ValueError, match='batch dimension'):
        HalluciNetMSELoss()(torch.tensor(1.0), torch.tensor(2.0))
    with pytest.raises(ValueError, match="reduction must be one of"):
        HalluciNetMSELoss()(phi_s, phi_t, reduction_override='max')


def test_build_feature_loss_checks_the_config():
    assert isinstance(
        build_feature_loss(dict(type='HalluciNetSmoothL1Loss'), 'loss_x'),
        HalluciNetSmoothL1Loss)
    with pytest.raises(TypeError, match='loss_x must be a loss config'):
        build_feature_loss('HalluciNetMSELoss', 'loss_x')
    with pytest.raises(TypeError,
                       match='loss_x: CrossEntropyLoss is not a '
                       'BaseFeatureLoss'):
        build_feature_loss(dict(type='CrossEntropyLoss'), 'loss_x')


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
def test_weighting_is_mmaction_base_weighted_loss(reduction):
    """MMAction2's BaseWeightedLoss weights the loss; the numbers are the
    former ``loss_weight * reduce(per_sample)`` written out here."""
    from mmaction.models.losses import BaseWeightedLoss
    torch.manual_seed(0)
    pred, target = torch.randn(4, 6, requires_grad=True), torch.randn(4, 6)
    for cfg, _, _ in CASES:
        loss = MODELS.build(dict(cfg, reduction=reduction))
        assert isinstance(loss, BaseWeightedLoss)
        per_sample = loss.per_sample(pred, target)
        former = dict(mean=per_sample.mean(), sum=per_sample.sum(),
                      none=per_sample)[reduction] * loss.loss_weight
        got = loss(pred, target)
        torch.testing.assert_close(got, former, rtol=0, atol=0)
        got.sum().backward()  # the in-place weighting keeps the graph
        assert torch.isfinite(pred.grad).all()
        pred.grad = None
