"""The linear probe: a logistic regression checked against its optimality
condition written out, and on data whose answer is known."""
import numpy as np
from scipy.special import softmax

from tools.synthetic_demo.probe import (fit_logistic_regression,
                                        probe_accuracy, run_probes)


def test_fit_is_a_stationary_point_of_the_objective():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    y = rng.integers(0, 3, size=40)
    w, b = fit_logistic_regression(x, y, 3, l2=0.5)
    # Gradient of sum CE + 0.25 |W|^2, written out independently.
    p = softmax(x @ w.T + b, axis=1)
    err = p - np.eye(3)[y]
    np.testing.assert_allclose(err.T @ x + 0.5 * w, 0, atol=1e-3)
    np.testing.assert_allclose(err.sum(0), 0, atol=1e-3)


def test_separable_classes_are_separated_and_noise_is_chance():
    rng = np.random.default_rng(1)
    centres = np.eye(4) * 6
    y = np.repeat(np.arange(4), 30)
    x = centres[y] + rng.normal(size=(120, 4))
    assert probe_accuracy(x[::2], y[::2], x[1::2], y[1::2], 4) == 1.0
    noise = rng.normal(size=(400, 4))
    acc = probe_accuracy(noise[:200], y.repeat(4)[:200] % 4, noise[200:],
                         rng.integers(0, 4, 200), 4)
    assert 0.1 < acc < 0.4


def test_run_probes_one_per_labeled_set():
    feats = {f'v{i}': np.array([float(i % 2), 1.0]) for i in range(8)}
    test = [(f'v{i}', i % 2) for i in range(4, 8)]
    labeled = dict(a=[(f'v{i}', i % 2) for i in range(4)],
                   b=[('v0', 0), ('v1', 1)])
    assert run_probes(feats, labeled, test, 2) == dict(a=1.0, b=1.0)
