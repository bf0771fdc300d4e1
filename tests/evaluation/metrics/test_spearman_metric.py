# Copyright (c) hallucinet_mm contributors. All rights reserved.
import json
import logging
import os.path as osp
import socket

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.evaluator import Evaluator
from mmengine.logging import MMLogger
from scipy import stats

import hallucinet_mm  # noqa: F401  (applies the compat fix first)
from hallucinet_mm.evaluation.metrics import SpearmanMetric
from hallucinet_mm.evaluation.metrics.spearman_metric import \
    spearman_correlation
from mmaction.registry import METRICS
from mmaction.structures import ActionDataSample


def _tied_scores(n=40, seed=0):
    """Scores on a coarse grid, so both sides have many ties."""
    rng = np.random.RandomState(seed)
    gts = rng.choice(np.arange(20.0, 100.0, 5.0), size=n)
    preds = np.round(gts + rng.normal(0, 15, size=n), -1)
    return preds, gts


def _samples(preds, gts):
    out = []
    for p, g in zip(preds, gts):
        s = ActionDataSample()
        s.set_field(torch.tensor(float(p)), 'pred_score')
        s.set_field(float(g), 'final_score')
        out.append(s.to_dict())
    return out


def _old_average_ranks(values):
    """The hand-written ranks spearman_metric.py used before scipy."""
    _, inverse, counts = np.unique(
        values, return_inverse=True, return_counts=True)
    last = np.cumsum(counts)
    first = last - counts + 1
    return ((first + last) / 2.0)[inverse.reshape(-1)]


def _old_spearman(preds, targets):
    """The hand-written correlation spearman_metric.py used before scipy."""
    rank_p = _old_average_ranks(np.asarray(preds, np.float64))
    rank_t = _old_average_ranks(np.asarray(targets, np.float64))
    rank_p -= rank_p.mean()
    rank_t -= rank_t.mean()
    corr = np.dot(rank_p, rank_t) / np.sqrt(
        np.dot(rank_p, rank_p) * np.dot(rank_t, rank_t))
    return float(np.clip(corr, -1.0, 1.0))


def test_average_ranks_match_scipy():
    values = np.array([3.0, 1.0, 3.0, 2.0, 3.0, 1.0, 7.5])
    np.testing.assert_array_equal(_old_average_ranks(values),
                                  stats.rankdata(values))


@pytest.mark.parametrize('seed', range(6))
def test_scipy_gives_the_numbers_of_the_old_formula(seed):
    preds, gts = _tied_scores(n=10 + 10 * seed, seed=seed)
    assert spearman_correlation(preds, gts) == pytest.approx(
        _old_spearman(preds, gts), abs=1e-12)
    rng = np.random.RandomState(seed)
    preds, gts = rng.normal(size=25), rng.normal(size=25)  # no ties
    assert spearman_correlation(preds, gts) == pytest.approx(
        _old_spearman(preds, gts), abs=1e-12)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_matches_scipy_with_ties(seed):
    preds, gts = _tied_scores(seed=seed)
    assert len(np.unique(preds)) < len(preds)
    assert len(np.unique(gts)) < len(gts)
    expected = stats.spearmanr(preds, gts)[0]
    assert spearman_correlation(preds, gts) == pytest.approx(
        expected, abs=1e-12)

    metric = METRICS.build(dict(type='SpearmanMetric'))
    metric.process(None, _samples(preds, gts)[:15])
    metric.process(None, _samples(preds, gts)[15:])
    result = metric.evaluate(len(preds))
    assert set(result) == {'aqa/spearman'}
    assert result['aqa/spearman'] == pytest.approx(100 * expected, abs=1e-9)


def test_perfect_and_reversed_order():
    gts = np.array([10.0, 20.0, 30.0, 40.0])
    assert spearman_correlation(gts * 2, gts) == pytest.approx(1.0)
    assert spearman_correlation(-gts, gts) == pytest.approx(-1.0)


def test_custom_keys_and_prefix():
    metric = SpearmanMetric(pred_key='p', gt_key='g', prefix='x')
    metric.process(None, [dict(p=1.0, g=np.float32(2.0)),
                          dict(p=np.array([3.0]), g=1.0),
                          dict(p=2.0, g=3.0)])
    expected = 100 * stats.spearmanr([1, 3, 2], [2, 1, 3])[0]
    assert metric.evaluate(3)['x/spearman'] == pytest.approx(expected)


def test_constant_prediction_warns_and_gives_zero():
    metric = SpearmanMetric()
    metric.process(None, _samples([50.0] * 4, [10.0, 20.0, 30.0, 40.0]))
    logger = MMLogger.get_current_instance()
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        result = metric.evaluate(4)
    finally:
        logger.removeHandler(handler)
    assert result == {'aqa/spearman': 0.0}
    assert any('predicted scores equal' in r.getMessage() for r in records)


@pytest.mark.parametrize('preds,gts,match', [
    ([1.0], [2.0], 'at least 2'),
    ([], [], 'at least 2'),
    ([1.0, 2.0], [5.0, 5.0], 'ground truth'),
    ([1.0, float('nan')], [1.0, 2.0], 'non-finite'),
])
def test_errors(preds, gts, match):
    with pytest.raises(ValueError, match=match):
        spearman_correlation(preds, gts)
    metric = SpearmanMetric()
    metric.process(None, _samples(preds, gts))
    with pytest.raises(ValueError, match=match):
        metric.compute_metrics(metric.results)


def test_missing_key_is_named():
    with pytest.raises(KeyError, match='pred_score'):
        SpearmanMetric().process(None, [dict(final_score=1.0)])


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _dist_worker(rank, world_size, port, samples, out_file):
    dist.init_process_group(
        'gloo',
        init_method=f'tcp://127.0.0.1:{port}',
        rank=rank,
        world_size=world_size)
    try:
        from hallucinet_mm.evaluation.metrics import (DiveAccuracyMetric,
                                                      SpearmanMetric)
        evaluator = Evaluator([SpearmanMetric(), DiveAccuracyMetric()])
        # DistributedSampler-like split: rank r takes r, r + w, ...; the
        # last rank is padded with the first sample, dropped by `size`.
        indices = list(range(rank, len(samples), world_size))
        per_rank = -(-len(samples) // world_size)
        indices += [0] * (per_rank - len(indices))
        for start in range(0, len(indices), 3):
            batch = [samples[i] for i in indices[start:start + 3]]
            evaluator.process(batch)
        metrics = evaluator.evaluate(len(samples))
        if rank == 0:
            with open(out_file, 'w') as f:
                json.dump(metrics, f)
    finally:
        dist.destroy_process_group()


def _samples_with_dives(preds, gts, seed=0):
    rng = np.random.RandomState(seed)
    out = []
    for p, g in zip(preds, gts):
        s = ActionDataSample()
        s.set_field(torch.tensor(float(p)), 'pred_score')
        s.set_field(float(g), 'final_score')
        gt = np.array([rng.randint(k) for k in (3, 2, 4, 10, 8)])
        pred = np.where(rng.rand(5) < 0.7, gt, (gt + 1) % 2)
        s.set_field(gt, 'dive_labels')
        s.set_field(torch.from_numpy(pred), 'pred_dive_labels')
        out.append(s)
    return out


def test_equal_across_one_and_two_processes(tmp_path):
    preds, gts = _tied_scores(n=23, seed=3)  # odd: exercises padding
    samples = _samples_with_dives(preds, gts)

    single = Evaluator([SpearmanMetric(), METRICS.build(
        dict(type='DiveAccuracyMetric'))])
    single.process(samples)
    expected = single.evaluate(len(samples))
    assert expected['aqa/spearman'] == pytest.approx(
        100 * stats.spearmanr(preds, gts)[0])

    out_file = osp.join(tmp_path, 'metrics.json')
    # 'fork' (as DataLoader workers on Linux) starts in ~0.2 s; 'spawn'
    # re-imports torch + mmaction in each child, ~10-15 s on 2 CPU cores.
    start_method = 'fork' if 'fork' in mp.get_all_start_methods() \
        else 'spawn'
    mp.start_processes(
        _dist_worker,
        args=(2, _free_port(), samples, out_file),
        nprocs=2,
        join=True,
        start_method=start_method)
    with open(out_file) as f:
        distributed = json.load(f)
    assert distributed.keys() == expected.keys()
    for key, value in expected.items():
        assert distributed[key] == pytest.approx(value, abs=1e-9), key
