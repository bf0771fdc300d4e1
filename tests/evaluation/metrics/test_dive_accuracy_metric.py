# Copyright (c) hallucinet_mm contributors. All rights reserved.
import numpy as np
import pytest
import torch

import hallucinet_mm  # noqa: F401  (applies the compat fix first)
from hallucinet_mm.evaluation.metrics import DiveAccuracyMetric
from mmaction.registry import METRICS

NUM_CLASSES = dict(position=3, armstand=2, rotation_type=4, ss_no=10, tw_no=8)


def _random_results(n=50, seed=0):
    rng = np.random.RandomState(seed)
    gts = np.stack([rng.randint(0, k, size=n) for k in NUM_CLASSES.values()],
                   axis=1)
    wrong = rng.rand(n, 5) < 0.3
    preds = np.where(wrong, (gts + 1) % np.array(list(NUM_CLASSES.values())),
                     gts)
    return preds, gts


def test_accuracies_match_numpy():
    preds, gts = _random_results()
    metric = METRICS.build(dict(type='DiveAccuracyMetric'))
    samples = [
        dict(pred_dive_labels=torch.from_numpy(p), dive_labels=g)
        for p, g in zip(preds, gts)
    ]
    metric.process(None, samples[:20])
    metric.process(None, samples[20:])
    result = metric.evaluate(len(samples))

    per_field = []
    for i, name in enumerate(NUM_CLASSES):
        acc = 100.0 * np.sum(preds[:, i] == gts[:, i]) / len(gts)
        per_field.append(acc)
        assert result[f'dive/{name}_acc'] == pytest.approx(acc)
    assert result['dive/mean_acc'] == pytest.approx(np.mean(per_field))
    all_right = sum(all(p == g) for p, g in zip(preds, gts))
    assert result['dive/all_acc'] == pytest.approx(100.0 * all_right /
                                                   len(gts))
    assert len(result) == 7
    assert 0 < result['dive/all_acc'] < result['dive/mean_acc'] < 100


def test_subset_of_fields_uses_label_order():
    # The head predicts (ss_no, position); the dataset gives all five.
    metric = DiveAccuracyMetric(fields=('ss_no', 'position'))
    metric.process(None, [
        dict(pred_dive_labels=[7, 1], dive_labels=[1, 0, 2, 7, 0]),
        dict(pred_dive_labels=[7, 2], dive_labels=[1, 0, 2, 3, 0]),
    ])
    result = metric.evaluate(2)
    assert result == {
        'dive/ss_no_acc': 50.0,
        'dive/position_acc': 50.0,
        'dive/mean_acc': 50.0,
        'dive/all_acc': 50.0,
    }


def test_errors():
    with pytest.raises(ValueError, match='label_order'):
        DiveAccuracyMetric(fields=('height', ))
    with pytest.raises(ValueError, match='at least one'):
        DiveAccuracyMetric(fields=())
    metric = DiveAccuracyMetric()
    with pytest.raises(KeyError, match='pred_dive_labels'):
        metric.process(None, [dict(dive_labels=[0, 0, 0, 0, 0])])
    with pytest.raises(ValueError, match='entries'):
        metric.process(None, [
            dict(pred_dive_labels=[0, 0], dive_labels=[0, 0, 0, 0, 0])
        ])
    with pytest.raises(ValueError, match='no results'):
        metric.compute_metrics([])
