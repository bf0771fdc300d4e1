# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Confident pseudo-labels for the teacher-free baseline of the main job.

Self-training (Lee, 2013, "Pseudo-Label"): a student trained on the labeled
set labels the unlabeled videos; those whose top softmax probability reaches
``--threshold`` are kept with their predicted label, and a fresh student
trains on the labeled and pseudo-labeled videos
(``configs/synthetic/pseudo-label_r18-s3_600it_synthetic-motion.py``).
It is the simplest well-known way to use unlabeled videos without a teacher,
needs no change to the student's loss, and no augmentation that could erase
the single-frame cue (FixMatch's strong colour augmentations would erase
the hue cue the students read).

Predictions go through MMAction2's own ``init_recognizer`` and
``inference_recognizer``, with the config's test pipeline (the centre
frame). ``--truth`` (the pool's labeled list) is read only to report how
many kept pseudo-labels are right; it never reaches the output list.

Example::

    python tools/synthetic_demo/pseudo_labels.py CONFIG CKPT unlabeled.txt \\
        --video-dir data/videos --threshold 0.95 --out pseudo_labeled.txt \\
        --truth data/train.txt
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))


def read_list(path: str) -> List[List[str]]:
    """The non-empty lines of an annotation list, split on whitespace."""
    with open(path, encoding='utf-8') as f:
        return [line.split() for line in f if line.strip()]


def select_confident(paths: Sequence[str], scores: np.ndarray,
                     threshold: float) -> List[tuple]:
    """``(path, label)`` for each video whose top score reaches ``threshold``.

    Args:
        paths (Sequence[str]): One relative video path per row of
            ``scores``.
        scores (np.ndarray): (N, K) class probabilities.
        threshold (float): The least top probability kept, in (0, 1].

    Returns:
        list[tuple[str, int]]: The kept videos, in input order.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f'threshold must be in (0, 1], got {threshold}')
    scores = np.asarray(scores, dtype=float)
    if scores.shape[0] != len(paths):
        raise ValueError(f'{len(paths)} paths but {scores.shape[0]} score '
                         'rows')
    labels, top = scores.argmax(1), scores.max(1)
    return [(p, int(y)) for p, y, s in zip(paths, labels, top)
            if s >= threshold]


def pseudo_label_stats(kept: Sequence[tuple], truth: Dict[str, int],
                       num_videos: int, threshold: float) -> Dict:
    """Coverage and accuracy of the kept pseudo-labels against ``truth``."""
    right = sum(truth[p] == y for p, y in kept)
    return dict(threshold=threshold, num_unlabeled=num_videos,
                num_kept=len(kept),
                coverage=len(kept) / max(num_videos, 1),
                kept_accuracy=right / len(kept) if kept else None)


def predict_scores(config: str, checkpoint: str, video_dir: str,
                   paths: Sequence[str],
                   cfg_options: Optional[Dict] = None) -> np.ndarray:
    """(N, K) class probabilities of ``paths`` (MMAction2's inference API)."""
    import hallucinet_mm  # noqa: F401  (registers the plugin)
    from mmaction.apis import inference_recognizer, init_recognizer
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    model = init_recognizer(cfg, checkpoint, device='cpu')
    return np.stack([
        inference_recognizer(model, osp.join(video_dir, p)).pred_score.cpu()
        .numpy() for p in paths
    ])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('unlabeled', help='list of unlabeled videos')
    parser.add_argument('--video-dir', required=True)
    parser.add_argument('--threshold', type=float, default=0.95)
    parser.add_argument('--out', required=True,
                        help='the pseudo-labeled list to write')
    parser.add_argument('--truth', help='labeled list, only to report the '
                        "pseudo-labels' accuracy")
    return parser.parse_args(argv)


def main(argv=None) -> Dict:
    args = parse_args(argv)
    paths = [line[0] for line in read_list(args.unlabeled)]
    if not paths:
        raise ValueError(f'{args.unlabeled} lists no video')
    scores = predict_scores(args.config, args.checkpoint, args.video_dir,
                            paths)
    kept = select_confident(paths, scores, args.threshold)
    with open(args.out, 'w', newline='\n') as f:
        f.writelines(f'{p} {y}\n' for p, y in kept)
    truth = {}
    if args.truth:
        truth = {p: int(y) for p, y in read_list(args.truth)}
        missing = [p for p in paths if p not in truth]
        if missing:
            raise ValueError(f'{args.truth} lacks {missing[:3]}')
    stats = pseudo_label_stats(kept, truth, len(paths), args.threshold) \
        if truth else dict(threshold=args.threshold, num_kept=len(kept),
                           num_unlabeled=len(paths))
    if truth:
        stats['all_accuracy'] = float(np.mean(
            [truth[p] == int(y) for p, y in zip(paths, scores.argmax(1))]))
    with open(osp.splitext(args.out)[0] + '.json', 'w') as f:
        json.dump(stats, f, indent=1)
    print(json.dumps(stats))
    return stats


if __name__ == '__main__':
    main()
