# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Test top-1 of a trained student in PyTorch, ONNX float32 and ONNX INT8,
side by side on the same test split.

For each checkpoint (one per seed, say) of one config: the student is
exported (``tools/deployment/export_onnx.py``'s ``export_checked``) and
quantized (``tools/deployment/quantize_onnx.py``'s ``quantize_and_check``:
static INT8, QDQ, per-channel weights, calibrated on the first
``--calib-videos`` training videos, checked on the validation split). Each
test video is then decoded ONCE through the config's test pipeline and the
same frames go to the three back ends: PyTorch through the model's data
preprocessor, ONNX Runtime through the file's mean and std. Per checkpoint:
top-1 of each, the INT8 - float32 difference, the INT8/float32 top-1
agreement and the largest logit difference; then the mean over the
checkpoints. A table is printed and the JSON report written.

Example (the paths of the trained runs are arguments, nothing is fixed)::

    python tools/analysis/int8_accuracy.py CONFIG \\
        --checkpoints seed0/best.pth seed1/best.pth seed2/best.pth \\
        --names seed0 seed1 seed2 --work-dir work_dirs/int8 \\
        --out docs/benchmarks/int8_accuracy.json \\
        --cfg-options test_dataloader.dataset.ann_file=data/test.txt
"""
import argparse
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)  # run as a script from anywhere
from tools.analysis.bench_utils import (finish_report,  # noqa: E402
                                        format_table, run_metadata)

BACKENDS = ('pytorch', 'onnx_fp32', 'onnx_int8')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parses and checks the command line."""
    from hallucinet_mm.deployment.quantization import CALIBRATION_METHODS
    from hallucinet_mm.engine.tool_cfg import add_cfg_options
    parser = argparse.ArgumentParser(
        description='Test top-1 of PyTorch, ONNX float32 and ONNX INT8 '
        'students on the same test split')
    add = parser.add_argument
    add('config', help='the plugin config of the students')
    add('--checkpoints', nargs='+', required=True,
        help='trained student checkpoints (e.g. one per seed)')
    add('--names', nargs='+', help='a name per checkpoint (default: '
        'the checkpoint paths)')
    add('--work-dir', required=True, help='where the .onnx files go')
    add('--split', default='test', choices=['val', 'test'],
        help='the split whose top-1 is compared')
    add('--check-split', default='val', choices=['train', 'val', 'test'],
        help="quantize_onnx.py's check against float32")
    add('--calib-videos', type=int, default=100)
    add('--calib-method', default='percentile',
        choices=CALIBRATION_METHODS)
    add('--out', default='work_dirs/int8_accuracy.json')
    add_cfg_options(parser, 'override config settings (e.g. the data paths)')
    args = parser.parse_args(argv)
    if args.names and len(args.names) != len(args.checkpoints):
        parser.error(f'--names has {len(args.names)} names for '
                     f'{len(args.checkpoints)} --checkpoints')
    if args.calib_videos < 1:
        parser.error('--calib-videos must be >= 1')
    return args


def evaluate(model, students: Dict[str, object], infos: List[Dict],
             pipeline_cfg: List[dict]) -> Dict[str, object]:
    """Top-1 of the back ends on the same decoded frames of each video.

    Args:
        model (nn.Module): The PyTorch recognizer.
        students (dict): ``'onnx_fp32'`` and ``'onnx_int8'`` OnnxStudents.
        infos (list[dict]): The split's data infos (``filename``,
            ``label``).
        pipeline_cfg (list[dict]): The test pipeline.

    Returns:
        dict: ``top1`` per back end, ``int8_minus_fp32``,
        ``int8_fp32_agreement``, ``max_abs_logit_diff`` (INT8 - float32)
        and ``num_videos``.
    """
    from tools.deployment.export_onnx import decoded_frames, normalised_batch
    logits = {name: [] for name in BACKENDS}
    labels = []
    for info in infos:
        frames = decoded_frames(pipeline_cfg, info['filename'])
        with torch.no_grad():
            x = normalised_batch(model, frames)
            logits['pytorch'].append(model(x, mode='tensor').numpy())
        for name, student in students.items():
            logits[name].append(student.run(student.preprocess(
                frames.numpy())))
        labels.append(int(np.asarray(info['label']).reshape(-1)[0]))
    labels = np.asarray(labels)
    stacked = {name: np.concatenate(v) for name, v in logits.items()}
    top1 = {name: float(np.mean(v.argmax(1) == labels))
            for name, v in stacked.items()}
    fp32, int8 = stacked['onnx_fp32'], stacked['onnx_int8']
    return dict(
        num_videos=len(labels), top1=top1,
        int8_minus_fp32=top1['onnx_int8'] - top1['onnx_fp32'],
        int8_fp32_agreement=float(np.mean(fp32.argmax(1) == int8.argmax(1))),
        max_abs_logit_diff=float(np.abs(int8 - fp32).max()))


def measure_checkpoint(cfg, checkpoint: str, name: str, args) -> Dict:
    """Exports, quantizes and evaluates one checkpoint."""
    from hallucinet_mm.deployment.config_videos import split_infos
    from hallucinet_mm.deployment.inference import (OnnxStudent,
                                                    config_test_pipeline)
    from tools.deployment.export_onnx import export_checked
    from tools.deployment.quantize_onnx import quantize_and_check
    stem = osp.join(args.work_dir, name.replace('/', '_'))
    model, export_diff = export_checked(cfg, checkpoint, stem + '.onnx',
                                        config_name=osp.basename(args.config))
    check = quantize_and_check(cfg, stem + '.onnx', stem + '_int8.onnx',
                               args.calib_videos, args.calib_method,
                               args.check_split)
    print(f'{name}: INT8 check on {check["num_inputs"]} {args.check_split} '
          f'videos: top-1 agreement {check["top1_agreement"]:.4f}, max '
          f'|int8 - fp32| logit {check["max_abs_logit_diff"]:.4g}')
    pipeline_cfg = config_test_pipeline(cfg)
    students = dict(
        onnx_fp32=OnnxStudent(stem + '.onnx', pipeline=pipeline_cfg),
        onnx_int8=OnnxStudent(stem + '_int8.onnx', pipeline=pipeline_cfg))
    result = evaluate(model, students, split_infos(cfg, args.split),
                      pipeline_cfg)
    return dict(result, name=name, checkpoint=checkpoint,
                export_max_abs_diff=export_diff, quantize_check=check)


def summarize(runs: List[Dict]) -> Dict[str, object]:
    """Mean (and sample std) over the runs of each top-1 and difference."""
    def stats(values):
        values = np.asarray(values, dtype=np.float64)
        std = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        return dict(mean=float(values.mean()), std=std)
    summary = {f'top1_{name}': stats([r['top1'][name] for r in runs])
               for name in BACKENDS}
    for key in ('int8_minus_fp32', 'int8_fp32_agreement'):
        summary[key] = stats([r[key] for r in runs])
    summary['max_abs_logit_diff'] = max(r['max_abs_logit_diff'] for r in runs)
    return summary


def format_results(runs: List[Dict], summary: Dict) -> str:
    """The table: a row per checkpoint and the mean."""
    header = ['run', 'videos'] + [f'top1 {b}' for b in BACKENDS] + [
        'int8-fp32', 'agree', 'max|dlogit|']
    rows = [[
        r['name'], r['num_videos'], *(f'{r["top1"][b]:.4f}'
                                      for b in BACKENDS),
        f'{r["int8_minus_fp32"]:+.4f}', f'{r["int8_fp32_agreement"]:.4f}',
        f'{r["max_abs_logit_diff"]:.3g}'
    ] for r in runs]
    rows.append([
        f'mean of {len(runs)}', '', *(f'{summary[f"top1_{b}"]["mean"]:.4f}'
                                      for b in BACKENDS),
        f'{summary["int8_minus_fp32"]["mean"]:+.4f}',
        f'{summary["int8_fp32_agreement"]["mean"]:.4f}',
        f'{summary["max_abs_logit_diff"]:.3g}'
    ])
    return format_table(header, rows)


def main(argv: Optional[Sequence[str]] = None) -> Dict:
    """Measures every checkpoint, prints the table, writes the JSON."""
    import hallucinet_mm  # noqa: F401 (registers the plugin)
    from mmengine.config import Config
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    names = args.names or args.checkpoints
    runs = [measure_checkpoint(cfg, ckpt, name, args)
            for ckpt, name in zip(args.checkpoints, names)]
    summary = summarize(runs)
    table = format_results(runs, summary)
    print(table)
    report = dict(
        meta=run_metadata(__file__, argv, 'cpu'),
        settings=dict(vars(args), backends=BACKENDS,
                      quantization='static INT8, QDQ, per-channel weights'),
        runs=runs, summary=summary, table=table)
    finish_report(report, args.out)
    return report


if __name__ == '__main__':
    main()
