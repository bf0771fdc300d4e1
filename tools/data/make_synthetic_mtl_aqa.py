# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Writes a tiny synthetic dataset in the layout of the MTL-AQA release.

Files written under ``out_dir``::

    final_annotations_dict.pkl   {(video_no, sample_no): annotation dict}
    train_split_0.pkl            [(video_no, sample_no), ...]
    test_split_0.pkl             every 4th dive (at least one)
    whole_videos_frames/{video_no:02d}/{index:06d}.jpg   from 000001.jpg

Each "whole video" is a dark background with idle gaps of ``GAP`` frames
around its dives; frame number ``f`` (as in ``start_frame``/``end_frame``) is
file ``f + 1``, as with ffmpeg-extracted frames. In a dive a square falls
from top to bottom; its column follows ``position``, its colour encodes
``rotation_type`` (red), ``ss_no`` (green) and ``armstand`` (blue), its size
``tw_no``, and the splash drawn over the last frames is smaller for a better
execution (higher ``final_score / difficulty``). Annotations hold built-in
types only, like the official files.

Usage::

    python tools/data/make_synthetic_mtl_aqa.py data/mtl_aqa_synthetic
"""
import argparse
import os
import os.path as osp
import pickle
from typing import Dict, Tuple

import cv2
import numpy as np

from hallucinet_mm.datasets.mtl_aqa import MTL_AQA_DIVE_CLASSES

GAP = 5  # idle frames before, between and after the dives of a video
NUM_CLASSES = MTL_AQA_DIVE_CLASSES  # from MTLAQADataset.METAINFO


def _draw_dive(rng: np.random.RandomState, ann: dict, num_frames: int,
               height: int, width: int) -> np.ndarray:
    """Renders the frames of one dive as ``(T, H, W, 3)`` uint8 (BGR)."""
    frames = np.full((num_frames, height, width, 3), 20, dtype=np.uint8)
    side = max(2, min(height, width) // 10 + ann['tw_no'] // 2)
    colour = (60 + 50 * ann['armstand'],  # B
              50 + 20 * ann['ss_no'],  # G
              60 + 60 * ann['rotation_type'])  # R
    column = int((ann['position'] + 0.5) * width / 3) - side // 2
    column = int(np.clip(column, 0, width - side))
    execution = ann['final_score'] / (3 * ann['difficulty'])  # 0 - 10
    splash = int(round((10 - execution) / 10 * width / 3))
    splash_frames = max(1, num_frames // 8)
    for t in range(num_frames):
        row = int(round(t / max(1, num_frames - 1) * (height - side)))
        frames[t, row:row + side, column:column + side] = colour
        if t >= num_frames - splash_frames and splash > 0:
            centre = (column + side // 2, height - 1)
            cv2.circle(frames[t], centre, splash, (230, 230, 230), -1)
    noise = rng.randint(-6, 7, size=frames.shape)
    return np.clip(frames.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def _random_annotation(rng: np.random.RandomState, start_frame: int,
                       num_frames: int) -> dict:
    """Draws the labels and score of one dive (built-in types only)."""
    ann = {name: int(rng.randint(k)) for name, k in NUM_CLASSES.items()}
    difficulty = round(float(rng.uniform(1.2, 3.8)), 1)
    max_execution = min(9.5, 104.5 / (3 * difficulty))
    execution = float(rng.uniform(3.0, max_execution))
    ann.update(
        primary_view=int(rng.randint(2)),
        start_frame=int(start_frame),
        end_frame=int(start_frame + num_frames - 1),
        difficulty=difficulty,
        final_score=round(difficulty * 3 * execution, 1))
    return ann


def make_synthetic_mtl_aqa(out_dir: str,
                           num_videos: int = 2,
                           dives_per_video: int = 4,
                           frames_per_dive: Tuple[int, int] = (100, 140),
                           height: int = 32,
                           width: int = 32,
                           seed: int = 0) -> Dict[str, str]:
    """Writes a synthetic MTL-AQA-style dataset.

    Args:
        out_dir (str): Output folder (created if needed).
        num_videos (int): Number of whole videos. Defaults to 2.
        dives_per_video (int): Dives in each video. Defaults to 4.
        frames_per_dive (tuple[int, int]): Inclusive range of the number of
            frames of a dive. Defaults to ``(100, 140)``.
        height (int): Frame height. Defaults to 32.
        width (int): Frame width. Defaults to 32.
        seed (int): Random seed. Defaults to 0.

    Returns:
        dict[str, str]: Paths: ``data_root``, ``annotation_file``,
        ``train_split``, ``test_split`` and ``frames_root``.
    """
    lo, hi = frames_per_dive
    if num_videos < 1 or dives_per_video < 1 \
            or num_videos * dives_per_video < 2:
        raise ValueError('need at least 2 dives for a train and a test split')
    if not 1 <= lo <= hi:
        raise ValueError(f'invalid frames_per_dive {frames_per_dive}')
    if height < 8 or width < 8:
        raise ValueError('height and width must be >= 8')
    rng = np.random.RandomState(seed)
    frames_root = osp.join(out_dir, 'whole_videos_frames')
    annotations = {}
    for video_no in range(1, num_videos + 1):
        video_dir = osp.join(frames_root, f'{video_no:02d}')
        os.makedirs(video_dir, exist_ok=True)
        idle = np.full((GAP, height, width, 3), 20, dtype=np.uint8)
        chunks = [idle]
        next_frame = GAP
        for sample_no in range(1, dives_per_video + 1):
            num_frames = int(rng.randint(lo, hi + 1))
            ann = _random_annotation(rng, next_frame, num_frames)
            annotations[(video_no, sample_no)] = ann
            chunks += [_draw_dive(rng, ann, num_frames, height, width), idle]
            next_frame += num_frames + GAP
        for index, frame in enumerate(np.concatenate(chunks), start=1):
            cv2.imwrite(osp.join(video_dir, f'{index:06d}.jpg'), frame)

    keys = sorted(annotations)
    test = [k for i, k in enumerate(keys) if i % 4 == 3] or keys[-1:]
    train = [k for k in keys if k not in test]
    paths = dict(
        data_root=out_dir,
        annotation_file=osp.join(out_dir, 'final_annotations_dict.pkl'),
        train_split=osp.join(out_dir, 'train_split_0.pkl'),
        test_split=osp.join(out_dir, 'test_split_0.pkl'),
        frames_root=frames_root)
    for name, obj in (('annotation_file', annotations),
                      ('train_split', train), ('test_split', test)):
        with open(paths[name], 'wb') as f:
            pickle.dump(obj, f, protocol=2)
    return paths


def parse_args():
    parser = argparse.ArgumentParser(
        description='Write a tiny synthetic MTL-AQA-style dataset')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument('--num-videos', type=int, default=2)
    parser.add_argument('--dives-per-video', type=int, default=4)
    parser.add_argument(
        '--frames-per-dive', type=int, nargs=2, default=(100, 140))
    parser.add_argument('--height', type=int, default=32)
    parser.add_argument('--width', type=int, default=32)
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    paths = make_synthetic_mtl_aqa(
        args.out_dir,
        num_videos=args.num_videos,
        dives_per_video=args.dives_per_video,
        frames_per_dive=tuple(args.frames_per_dive),
        height=args.height,
        width=args.width,
        seed=args.seed)
    for name, path in paths.items():
        print(f'{name}: {path}')


if __name__ == '__main__':
    main()
