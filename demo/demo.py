# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Classify a video, an image, a folder of images or a camera/stream with a
trained HalluciNet student (PyTorch checkpoint or exported ONNX file).

Only the frames the student needs are decoded from a video file (the test
pipeline's sampler picks them). No teacher is built.

Examples::

    # a video, an image or a folder of frames (one clip), PyTorch
    python demo/demo.py VIDEO_OR_IMAGE_OR_FOLDER --config CONFIG \\
        --checkpoint CKPT --label-map labels.txt --top-k 5 \\
        --out-file work_dirs/demo/annotated.mp4
    # the exported ONNX file (its metadata holds the test pipeline)
    python demo/demo.py VIDEO --onnx student.onnx --label-map labels.txt
    # a camera (index) or a stream URL; classify every 5th frame
    python demo/demo.py 0 --stream --every 5 --config CONFIG \\
        --checkpoint CKPT --label-map labels.txt --out-file live.mp4
    # batch: one video per line of videos.txt, results as JSON
    python demo/demo.py --batch videos.txt --out-json results.json \\
        --onnx student.onnx --label-map labels.txt
"""
import argparse
import collections
import json
import os
import os.path as osp
import sys

import hallucinet_mm  # noqa: F401 (registers the plugin)
from hallucinet_mm.deployment.inference import (OnnxStudent, TorchStudent,
                                                frames_per_clip, top_k)
from hallucinet_mm.datasets.transforms.image_reader import (is_image,
                                                          read_image)
from hallucinet_mm.deployment.sources import (image_folder_files, iter_stream,
                                              load_label_map, open_stream,
                                              stream_fps)
from hallucinet_mm.deployment.visualize import (VideoWriter, prediction_lines,
                                                write_image, write_video)
from hallucinet_mm.engine.tool_cfg import add_cfg_options


def parse_args(argv=None):
    """Parses the command line."""
    parser = argparse.ArgumentParser(
        description='Classify videos, images or a stream with a trained '
        'HalluciNet student')
    parser.add_argument(
        'input',
        nargs='?',
        help='video file, image, folder of images (one clip), or with '
        '--stream a camera index or stream URL')
    parser.add_argument('--config', help='plugin config (PyTorch back end)')
    parser.add_argument('--checkpoint', help='trained student checkpoint')
    parser.add_argument(
        '--onnx', help='exported student (tools/deployment/export_onnx.py)')
    parser.add_argument(
        '--label-map', help='class names, one per line (default: indices)')
    parser.add_argument('--top-k', type=int, default=5)
    parser.add_argument('--device', default='cpu', help='PyTorch device')
    parser.add_argument(
        '--threads', type=int, default=None, help='ONNX Runtime threads')
    parser.add_argument(
        '--out-file',
        help='write the input annotated with the top-k (image or video)')
    parser.add_argument(
        '--stream',
        action='store_true',
        help='the input is a camera index or a stream URL (OpenCV)')
    parser.add_argument(
        '--every',
        type=int,
        default=1,
        help='stream: classify every N-th frame')
    parser.add_argument(
        '--max-frames', type=int, default=None, help='stream: stop after N')
    parser.add_argument(
        '--batch', help='text file with one video (or image) path per line')
    parser.add_argument('--out-json', help='batch mode: results file')
    add_cfg_options(parser, 'override config settings (PyTorch back end)')
    args = parser.parse_args(argv)
    if bool(args.onnx) == bool(args.config and args.checkpoint):
        parser.error('give either --onnx or both --config and --checkpoint')
    if bool(args.batch) == bool(args.input):
        parser.error('give an input or --batch, not both')
    if args.batch and not args.out_json:
        parser.error('--batch needs --out-json')
    if args.every < 1 or args.top_k < 1:
        parser.error('--every and --top-k must be >= 1')
    return args


def build_student(args):
    """The PyTorch or ONNX Runtime student of the command line."""
    if args.onnx:
        pipeline = None
        if args.config:
            from mmengine.config import Config

            from hallucinet_mm.deployment.inference import \
                config_test_pipeline
            pipeline = config_test_pipeline(Config.fromfile(args.config))
        return OnnxStudent(args.onnx, pipeline=pipeline, threads=args.threads)
    return TorchStudent(
        args.config,
        args.checkpoint,
        device=args.device,
        cfg_options=args.cfg_options)


def predict_path(student, path: str):
    """Scores and the frame to annotate (None for a video file)."""
    if osp.isdir(path):
        frames = [read_image(f) for f in image_folder_files(path)]
        return student.predict_frames(frames, path), frames[len(frames) // 2]
    if is_image(path):
        frame = read_image(path)
        return student.predict_frames([frame], path), frame
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} does not exist')
    return student.predict_video(path), None


def print_top(name: str, top) -> None:
    """Prints the top-k of one input."""
    print(f'{name}:')
    for rank, pred in enumerate(top, 1):
        print(f'  {rank}. {pred["label"]}: {pred["score"]:.4f}')


def run_stream(student, args, labels) -> int:
    """Classifies the latest frames of a camera or stream."""
    capture = open_stream(args.input)
    window = collections.deque(maxlen=frames_per_clip(student.pipeline_cfg))
    writer = VideoWriter(args.out_file, stream_fps(capture)) \
        if args.out_file else None
    lines, count = [], 0
    try:
        for index, frame in enumerate(iter_stream(capture, args.max_frames)):
            window.append(frame)
            if len(window) == window.maxlen and index % args.every == 0:
                scores = student.predict_frames(list(window), str(args.input))
                top = top_k(scores, args.top_k, labels)
                lines = prediction_lines(top)
                print_top(f'frame {index}', top)
                count += 1
            if writer is not None:
                writer.write(frame, lines)
    finally:
        capture.release()
        if writer is not None:
            print(f'wrote {writer.close()}')
    if count == 0:
        print(f'error: {args.input} gave too few frames to classify',
              file=sys.stderr)
        return 1
    return 0


def run_batch(student, args, labels) -> int:
    """Classifies every path of the list file; writes JSON."""
    with open(args.batch, encoding='utf-8') as f:
        paths = [line.strip() for line in f if line.strip()]
    results, failed = [], 0
    for path in paths:
        try:
            scores, _ = predict_path(student, path)
        except Exception as err:  # one bad video must not stop the batch
            failed += 1
            results.append(dict(input=path, error=f'{type(err).__name__}: '
                                f'{err}'))
            print(f'error: {path}: {err}', file=sys.stderr)
            continue
        top = top_k(scores, args.top_k, labels)
        print_top(path, top)
        results.append(dict(input=path, top_k=top))
    os.makedirs(osp.dirname(osp.abspath(args.out_json)), exist_ok=True)
    with open(args.out_json, 'w', encoding='utf-8') as f:
        json.dump(
            dict(
                model=args.onnx or args.checkpoint,
                backend='onnxruntime' if args.onnx else 'pytorch',
                results=results),
            f,
            indent=2)
    print(f'wrote {args.out_json} ({len(paths) - failed} of {len(paths)} '
          'inputs classified)')
    return 1 if failed else 0


def main(argv=None) -> int:
    """Runs the demo; returns the exit status."""
    args = parse_args(argv)
    student = build_student(args)
    labels = (load_label_map(args.label_map, student.num_classes)
              if args.label_map else None)
    if args.batch:
        return run_batch(student, args, labels)
    if args.stream:
        return run_stream(student, args, labels)
    scores, frame = predict_path(student, args.input)
    top = top_k(scores, args.top_k, labels)
    print_top(args.input, top)
    if args.out_file:
        lines = prediction_lines(top)
        out = write_image(args.out_file, frame, lines) if frame is not None \
            else write_video(args.out_file, args.input, lines)
        print(f'wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
