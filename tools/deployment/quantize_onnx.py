"""Quantize an exported student to static INT8 and check it against float32.

The float32 ``.onnx`` file of ``tools/deployment/export_onnx.py`` is
quantized by ``hallucinet_mm.deployment.quantization.quantize_student``
(ONNX Runtime's ``quantize_static``: QDQ, INT8 weights per channel, INT8
activations per tensor), calibrated on the first ``--calib-videos`` videos
of the config's TRAINING split, each through the config's test pipeline
and the file's mean and std (the frames the deployed model sees). The INT8
file keeps the float32 file's metadata, so ``demo/demo.py --onnx`` runs it
unchanged.

The check runs both files on the real decoded frames of the first
``--check-videos`` videos of ``--check-split`` (default ``val``: videos
the calibration did not see) and prints the top-1 agreement and the largest
logit difference. The tool exits with status 1 when the agreement is below
``--min-agreement`` (default 0.99) or a logit is not finite. Why 0.99: a
video whose top-1 class is the same in both models is classified correctly
by both or by neither, so the INT8 top-1 accuracy on the checked videos
differs from float32 by at most ``1 - agreement``; 0.99 bounds that change
by one point, the accuracy budget of issue 18. (The logit difference is
reported but not bounded: how much of it matters depends on the margins of
the model, which the agreement measures directly.)

Example::

    python tools/deployment/quantize_onnx.py CONFIG student.onnx \\
        --out student_int8.onnx --calib-videos 100
"""
import argparse
import sys

from mmengine.config import Config

import hallucinet_mm  # noqa: F401 (registers the plugin)
from hallucinet_mm.deployment.config_videos import SPLITS, split_infos
from hallucinet_mm.deployment import quantization
from hallucinet_mm.deployment.inference import (OnnxStudent,
                                                config_test_pipeline)
from hallucinet_mm.deployment.quantization import (CALIBRATION_METHODS,
                                                   FrameCalibrationReader,
                                                   quantize_student,
                                                   video_arrays)
from hallucinet_mm.engine.tool_cfg import add_cfg_options


def parse_args(argv=None):
    """Parses the command line."""
    parser = argparse.ArgumentParser(
        description='Static INT8 quantization of an exported student, '
        'calibrated on training videos and checked against float32')
    parser.add_argument('config', help='the plugin config of the student')
    parser.add_argument('onnx', help='float32 .onnx of export_onnx.py')
    parser.add_argument('--out', required=True, help='the INT8 .onnx file')
    parser.add_argument(
        '--calib-videos',
        type=int,
        default=100,
        help='calibrate on the first N videos of the training split')
    parser.add_argument(
        '--calib-method',
        default='percentile',
        choices=CALIBRATION_METHODS)
    parser.add_argument(
        '--check-split', default='val', choices=SPLITS,
        help='split whose videos serve the check against float32')
    parser.add_argument('--check-videos', type=int, default=100)
    parser.add_argument(
        '--min-agreement',
        type=float,
        default=0.99,
        help='least top-1 agreement with float32 (see the module docstring)')
    add_cfg_options(parser, 'override config settings (e.g. the data paths)')
    args = parser.parse_args(argv)
    if args.calib_videos < 1 or args.check_videos < 1:
        parser.error('--calib-videos and --check-videos must be >= 1')
    if not 0 <= args.min_agreement <= 1:
        parser.error('--min-agreement must be in [0, 1]')
    return args


def quantize_and_check(cfg, onnx_file: str, out_file: str, calib_videos: int,
                       calib_method: str = 'percentile',
                       check_split: str = 'val',
                       check_videos: int = 100) -> dict:
    """Quantizes ``onnx_file`` into ``out_file`` and compares the two.

    Args:
        cfg (Config): The student's config (its test pipeline and splits).
        onnx_file (str): The float32 file.
        out_file (str): The INT8 file.
        calib_videos (int): Training videos to calibrate on (the first).
        calib_method (str): See ``quantize_student``. Defaults to
            ``'percentile'``.
        check_split (str): Split of the check videos. Defaults to ``'val'``.
        check_videos (int): Videos to check on (the first). Defaults to 100.

    Returns:
        dict: ``compare_logits``'s result plus ``calib_videos`` (how many
        were used) and ``check_split``.

    Raises:
        KeyError: If the config has no test pipeline or lacks a split.
        ValueError: If a split lists no videos, or ``onnx_file`` is not a
            valid ONNX model.
    """
    pipeline = config_test_pipeline(cfg)
    fp32 = OnnxStudent(onnx_file, pipeline=pipeline)
    calib = [info['filename']
             for info in split_infos(cfg, 'train', calib_videos)]
    reader = FrameCalibrationReader(
        video_arrays(fp32, calib), fp32.input_name)
    quantize_student(onnx_file, out_file, reader, calib_method)
    int8 = OnnxStudent(out_file, pipeline=pipeline)
    checked = [info['filename']
               for info in split_infos(cfg, check_split, check_videos)]
    result = quantization.compare_logits(fp32.run, int8.run,
                                         video_arrays(fp32, checked))
    return dict(result, calib_videos=len(calib), check_split=check_split)


def main(argv=None) -> int:
    """Quantizes and checks; returns the exit status."""
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    result = quantize_and_check(cfg, args.onnx, args.out, args.calib_videos,
                                args.calib_method, args.check_split,
                                args.check_videos)
    print(f'quantized {args.out} (static INT8, QDQ, per-channel weights; '
          f'{args.calib_method} calibration on {result["calib_videos"]} '
          'training videos)')
    print(f'check on {result["num_inputs"]} {args.check_split} videos: '
          f'top-1 agreement {result["top1_agreement"]:.4f}, max |int8 - '
          f'fp32| logit {result["max_abs_logit_diff"]:.4g} (fp32 logits '
          f'span {result["reference_logit_range"]:.4g})')
    if not result['finite']:
        print('error: the INT8 model gives non-finite logits',
              file=sys.stderr)
        return 1
    if result['top1_agreement'] < args.min_agreement:
        print(f'error: top-1 agreement {result["top1_agreement"]:.4f} < '
              f'{args.min_agreement:g} (--min-agreement)', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
