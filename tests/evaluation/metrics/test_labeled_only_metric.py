"""LabeledOnlyMetric: unlabeled samples never reach the wrapped metric."""
import pytest
import torch
from mmengine.registry import init_default_scope

import hallucinet_mm  # noqa: F401
from hallucinet_mm.utils.unlabeled import UNLABELED
from mmaction.registry import METRICS
from mmaction.structures import ActionDataSample


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmaction')


def _sample(label, pred):
    s = ActionDataSample().set_gt_label(label)
    s.set_pred_score(torch.nn.functional.one_hot(torch.tensor(pred), 3)
                     .float())
    return s.to_dict()


def test_accuracy_over_labeled_samples_only():
    metric = METRICS.build(
        dict(type='LabeledOnlyMetric', metric=dict(type='AccMetric')))
    metric.dataset_meta = {}
    # labeled: 2 right, 1 wrong; unlabeled ones would all count as wrong.
    batch = [_sample(0, 0), _sample(UNLABELED, 1), _sample(1, 1),
             _sample(UNLABELED, 2), _sample(2, 0)]
    metric.process(None, batch)
    assert metric.num_skipped == 2
    results = metric.evaluate(size=5)
    assert results['acc/top1'] == pytest.approx(2 / 3)
    assert metric.num_skipped == 0  # reset for the next evaluation


def test_all_labeled_equals_the_wrapped_metric():
    wrapped = METRICS.build(
        dict(type='LabeledOnlyMetric', metric=dict(type='AccMetric')))
    plain = METRICS.build(dict(type='AccMetric'))
    batch = [_sample(0, 0), _sample(1, 2), _sample(2, 2)]
    wrapped.process(None, batch)
    plain.process(None, batch)
    assert wrapped.evaluate(3) == plain.evaluate(3)
