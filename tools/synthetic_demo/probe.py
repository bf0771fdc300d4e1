# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""How much the frozen teacher knows of the students' classes: a linear probe.

The teacher never sees a student video in training (it trains on its own
domain, :mod:`tools.synthetic_demo.teacher_domain`). Here its frozen
features of the students' videos (the 16-frame clip that starts at the
centre frame, as the HalluciNet config's test pipeline cuts it) are
computed once; then, per seed, a multinomial logistic regression (L2,
standardised features, fitted with scipy's L-BFGS) is fitted on that seed's
labeled set and tested on the students' test split. A probe near chance
would mean that the teacher's features do not carry the students' classes,
so that no hallucination could pass them on.

Example::

    python tools/synthetic_demo/probe.py CONFIG TEACHER_CKPT \\
        --video-dir data/videos --test data/test.txt \\
        --labeled seed0=s0/labeled.txt seed1=s1/labeled.txt --out probe.json
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, List, Sequence, Tuple

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

#: L2 strength of the probe, on standardised features (sklearn's C=1).
L2 = 1.0


def fit_logistic_regression(x: np.ndarray, y: np.ndarray, num_classes: int,
                            l2: float = L2) -> Tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by L-BFGS (scipy).

    Minimises ``sum_i CE(softmax(W x_i + b), y_i) + l2 / 2 * |W|^2``.

    Args:
        x (np.ndarray): (N, D) features.
        y (np.ndarray): (N,) integer labels in ``[0, num_classes)``.
        num_classes (int): K.
        l2 (float): The L2 strength on W (not on b).

    Returns:
        tuple[np.ndarray, np.ndarray]: W (K, D) and b (K,).
    """
    from scipy.optimize import minimize
    from scipy.special import log_softmax
    x = np.asarray(x, dtype=np.float64)
    n, d = x.shape
    onehot = np.eye(num_classes)[np.asarray(y)]

    def loss_grad(theta):
        w, b = theta[:-num_classes].reshape(num_classes, d), \
            theta[-num_classes:]
        logp = log_softmax(x @ w.T + b, axis=1)
        err = np.exp(logp) - onehot  # dCE/dlogits
        loss = -(onehot * logp).sum() + 0.5 * l2 * (w**2).sum()
        grad_w = err.T @ x + l2 * w
        return loss, np.concatenate([grad_w.ravel(), err.sum(0)])

    theta0 = np.zeros(num_classes * d + num_classes)
    res = minimize(loss_grad, theta0, jac=True, method='L-BFGS-B',
                   options=dict(maxiter=1000))
    return (res.x[:-num_classes].reshape(num_classes, d),
            res.x[-num_classes:])


def probe_accuracy(train_x, train_y, test_x, test_y,
                   num_classes: int) -> float:
    """Test top-1 of a probe fitted on standardised ``train_x``."""
    mean, std = train_x.mean(0), train_x.std(0) + 1e-6
    w, b = fit_logistic_regression((train_x - mean) / std, train_y,
                                   num_classes)
    pred = (((test_x - mean) / std) @ w.T + b).argmax(1)
    return float((pred == np.asarray(test_y)).mean())


def teacher_features(config: str, checkpoint: str, video_dir: str,
                     paths: Sequence[str]) -> np.ndarray:
    """(N, D) frozen-teacher features of the videos' centre clips.

    The clips come from the config's ``test_pipeline_with_teacher`` and go
    through the model's own data preprocessor and
    ``HalluciNetRecognizer.teacher_features``.
    """
    import torch
    from mmengine.config import Config
    from mmengine.dataset import Compose, pseudo_collate
    from mmengine.registry import init_default_scope

    import hallucinet_mm  # noqa: F401  (registers the plugin)
    from mmaction.registry import MODELS
    init_default_scope('mmaction')
    cfg = Config.fromfile(config)
    cfg.model.teacher.checkpoint = checkpoint
    model = MODELS.build(cfg.model).eval()
    pipeline = Compose(cfg.test_pipeline_with_teacher)
    feats = []
    for start in range(0, len(paths), 32):
        batch = [
            pipeline(dict(filename=osp.join(video_dir, p), label=-1,
                          start_index=0, modality='RGB'))
            for p in paths[start:start + 32]
        ]
        with torch.no_grad():
            data = model.data_preprocessor(pseudo_collate(batch), False)
            feats.append(model.teacher_features(data['inputs']).numpy())
    return np.concatenate(feats)


def read_list(path: str) -> List[Tuple[str, int]]:
    """``(path, label)`` of each line of a labeled list."""
    with open(path, encoding='utf-8') as f:
        return [(p, int(y)) for p, y in (line.split() for line in f
                                         if line.strip())]


def run_probes(feats: Dict[str, np.ndarray], labeled: Dict[str, list],
               test: list, num_classes: int) -> Dict[str, float]:
    """Test top-1 of one probe per labeled set (name -> accuracy)."""
    test_x = np.stack([feats[p] for p, _ in test])
    test_y = np.array([y for _, y in test])
    return {
        name: probe_accuracy(np.stack([feats[p] for p, _ in items]),
                             np.array([y for _, y in items]), test_x, test_y,
                             num_classes)
        for name, items in labeled.items()
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the HalluciNet config')
    parser.add_argument('checkpoint', help="the teacher's checkpoint")
    parser.add_argument('--video-dir', required=True)
    parser.add_argument('--test', required=True, help='the test list')
    parser.add_argument('--labeled', nargs='+', required=True,
                        metavar='NAME=LIST', help='labeled sets')
    parser.add_argument('--num-classes', type=int, default=6)
    parser.add_argument('--out', required=True, help='JSON to write')
    return parser.parse_args(argv)


def main(argv=None) -> Dict[str, float]:
    args = parse_args(argv)
    labeled = {}
    for item in args.labeled:
        name, sep, path = item.partition('=')
        if not sep:
            raise ValueError(f'--labeled takes NAME=LIST, got {item!r}')
        labeled[name] = read_list(path)
    test = read_list(args.test)
    paths = sorted({p for items in labeled.values() for p, _ in items} |
                   {p for p, _ in test})
    feats = dict(zip(paths, teacher_features(args.config, args.checkpoint,
                                             args.video_dir, paths)))
    result = run_probes(feats, labeled, test, args.num_classes)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))
    return result


if __name__ == '__main__':
    main()
