# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Export a trained HalluciNet student to ONNX and check it.

The student alone is exported (backbone + main head, or the
HalluciNet-direct variant's backbone + hallucination head + head), with a
dynamic batch axis; the teacher is neither built nor needed. The input
shape comes from the config's test pipeline run on a real video
(``--video``, else the test set's first video). Preprocessing (mean, std,
input size, frames per step) and the test pipeline are written into the
model's metadata, which ``demo/demo.py --onnx`` reads.

ONNX Runtime is then checked against PyTorch on that video's decoded
frames, with a batch of 1 and of 2: the largest absolute difference of the
logits is printed and must be at most ``--atol`` (default 1e-4), or the
tool exits with status 1.

Example::

    python tools/deployment/export_onnx.py CONFIG CKPT --out student.onnx \\
        --video some_video.mp4 --label-map labels.txt
"""
import argparse
import os.path as osp
import sys

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

import hallucinet_mm  # noqa: F401 (registers the plugin)
from hallucinet_mm.deployment import export_student_onnx
from hallucinet_mm.deployment.config_videos import split_infos
from hallucinet_mm.deployment.inference import (OnnxStudent,
                                                config_test_pipeline,
                                                packed_imgs, video_input)
from hallucinet_mm.deployment.sources import load_label_map
from hallucinet_mm.engine.tool_cfg import add_cfg_options


def parse_args(argv=None):
    """Parses the command line."""
    parser = argparse.ArgumentParser(
        description='Export a HalluciNet student to ONNX and check it '
        'against PyTorch on real decoded frames')
    parser.add_argument('config', help='plugin config')
    parser.add_argument('checkpoint', help='trained student checkpoint')
    parser.add_argument('--out', required=True, help='the .onnx file')
    parser.add_argument(
        '--video',
        help='video whose decoded frames set the input shape and serve the '
        "check (default: the test set's first video)")
    parser.add_argument(
        '--label-map', help='class names, one per line, stored in metadata')
    parser.add_argument('--opset', type=int, default=17)
    parser.add_argument(
        '--atol',
        type=float,
        default=1e-4,
        help='largest allowed |ONNX Runtime - PyTorch| of the logits')
    add_cfg_options(parser, 'override config settings')
    return parser.parse_args(argv)


def first_test_video(cfg) -> str:
    """The first video of the config's test set (built with its paths)."""
    return split_infos(cfg, 'test', 1)[0]['filename']


def decoded_frames(pipeline_cfg, video: str) -> torch.Tensor:
    """The packed student frames (S, C, H, W) of one video."""
    init_default_scope('mmaction')
    return packed_imgs(Compose(pipeline_cfg)(video_input(video)))


def normalised_batch(model, frames: torch.Tensor) -> torch.Tensor:
    """(1, S, C, H, W) student input, through the model's preprocessor."""
    preprocessor = model.data_preprocessor
    multimodal = hasattr(preprocessor, 'preprocessors')
    inputs = dict(imgs=[frames]) if multimodal else [frames]
    with torch.no_grad():
        data = preprocessor(dict(inputs=inputs, data_samples=None))
    return data['inputs']['imgs'] if multimodal else data['inputs']


def export_checked(cfg, checkpoint: str, out: str, video=None,
                   label_map=None, opset: int = 17, config_name=None):
    """Exports a student and compares ONNX Runtime with PyTorch.

    Args:
        cfg (Config): The plugin config.
        checkpoint (str): The trained student's checkpoint.
        out (str): The ``.onnx`` file.
        video (str, optional): Video whose frames set the input shape and
            serve the check. Defaults to the test set's first.
        label_map (str, optional): Class names stored in the metadata.
        opset (int): ONNX opset. Defaults to 17.
        config_name (str, optional): The config's name in the metadata.
            Defaults to its file's base name.

    Returns:
        tuple: The PyTorch model and the largest absolute logit difference
        (batch of 1 and of 2).
    """
    from mmaction.apis import init_recognizer
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = init_recognizer(cfg, checkpoint, device='cpu')
    pipeline_cfg = config_test_pipeline(cfg)
    video = video or first_test_video(cfg)
    frames = decoded_frames(pipeline_cfg, video)
    imgs = normalised_batch(model, frames)
    metadata = dict(
        test_pipeline=pipeline_cfg,
        config=config_name or osp.basename(cfg.filename or 'config'),
        checkpoint=osp.basename(checkpoint))
    if label_map:
        metadata['classes'] = load_label_map(
            label_map, getattr(model.cls_head, 'num_classes', None))
    export_student_onnx(
        model,
        out,
        input_shape=tuple(imgs.shape),
        opset_version=opset,
        metadata=metadata)
    print(f'exported {out} (input imgs {tuple(imgs.shape)}, batch '
          'dynamic)')

    onnx_student = OnnxStudent(out)
    worst = 0.0
    for batch in (1, 2):
        x = imgs.repeat(batch, 1, 1, 1, 1)
        with torch.no_grad():
            want = model(x, mode='tensor').numpy()
        got = onnx_student.run(x.numpy())
        diff = float(np.abs(got - want).max())
        worst = max(worst, diff)
        print(f'batch {batch}: max |onnxruntime - pytorch| = {diff:.3g}')
    print(f'max abs diff {worst:.3g} on {len(frames)} decoded frame(s) of '
          f'{video}')
    return model, worst


def main(argv=None) -> int:
    """Exports and checks; returns the exit status."""
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    _, worst = export_checked(cfg, args.checkpoint, args.out, args.video,
                              args.label_map, args.opset,
                              osp.basename(args.config))
    print(f'tolerance {args.atol:g}')
    if not worst <= args.atol:
        print(f'error: ONNX Runtime differs from PyTorch by {worst:.3g} > '
              f'{args.atol:g}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
