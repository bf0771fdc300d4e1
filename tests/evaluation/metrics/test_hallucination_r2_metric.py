"""HallucinationR2Metric against R^2 written out per dimension."""
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

import hallucinet_mm  # noqa: F401
from mmaction.registry import METRICS


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmaction')


def _r2(pred, target):
    metric = METRICS.build(dict(type='HallucinationR2Metric'))
    metric.process(None, [
        dict(hallu_pred=torch.as_tensor(p)[None],
             hallu_target=torch.as_tensor(t)[None])
        for p, t in zip(pred, target)
    ])
    return metric.evaluate(len(pred))['hallu/r2']


def test_matches_variance_weighted_r2():
    rng = np.random.default_rng(0)
    target = rng.uniform(size=(50, 8))
    pred = target + rng.normal(scale=0.1, size=target.shape)
    # Independent form: per-dimension R^2 weighted by each dimension's
    # variance (sklearn's multioutput='variance_weighted').
    var = target.var(0)
    per_dim = 1 - ((pred - target)**2).mean(0) / var
    expected = (per_dim * var).sum() / var.sum()
    assert _r2(pred, target) == pytest.approx(expected, rel=1e-9)


def test_mean_prediction_scores_zero_and_perfect_scores_one():
    rng = np.random.default_rng(1)
    target = rng.uniform(size=(20, 4))
    mean = np.broadcast_to(target.mean(0), target.shape)
    assert _r2(mean, target) == pytest.approx(0.0, abs=1e-12)
    assert _r2(target, target) == pytest.approx(1.0)
    assert _r2(1 - target, target) < 0


def test_missing_fields_name_the_pipeline_fix():
    metric = METRICS.build(dict(type='HallucinationR2Metric'))
    with pytest.raises(KeyError, match='teacher'):
        metric.process(None, [dict(pred_score=torch.zeros(3))])
