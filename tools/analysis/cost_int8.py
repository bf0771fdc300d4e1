# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The INT8 rows of ``benchmark_cost.py``: the quantized twin of an exported
model, the CPU's instruction set extensions and the issue-18 target."""
from typing import Dict, Optional

import torch

TEACHER = 'resnext3d101'
INT8 = 'onnxruntime-int8'
#: Random calibration inputs of an INT8 row (cost only: with random weights
#: the scales do not matter to the latency).
INT8_CALIBRATION = 4
#: Issue 18: the fastest INT8 student at most 0.5 % of the teacher's float32
#: ONNX Runtime latency (its ratio to the INT8 teacher is given beside).
INT8_TARGET = dict(reference=f'{TEACHER}/onnxruntime', max_ratio=0.005)
#: The /proc/cpuinfo flags recorded with a run (INT8 kernels use them).
ISA_FLAGS = ('avx2', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni',
             'avx_vnni', 'amx_int8')


def quantize_onnx(path: str, x: torch.Tensor, seed: int = 0) -> str:
    """The static INT8 twin of an exported model, ``path`` + ``_int8``,
    calibrated (min-max) on :data:`INT8_CALIBRATION` random inputs shaped
    as ``x`` (cost rows only: random weights can make an activation
    constant, which the histogram methods refuse)."""
    from hallucinet_mm.deployment.quantization import (FrameCalibrationReader,
                                                       quantize_student)
    import onnxruntime as ort
    name = ort.InferenceSession(
        path, providers=['CPUExecutionProvider']).get_inputs()[0].name
    generator = torch.Generator().manual_seed(seed)
    inputs = [torch.randn(tuple(x.shape), generator=generator).numpy()
              for _ in range(INT8_CALIBRATION)]
    out = path.replace('.onnx', '_int8.onnx')
    return quantize_student(path, out, FrameCalibrationReader(inputs, name),
                            calibrate_method='minmax')


def cpu_isa_flags() -> Optional[Dict[str, bool]]:
    """Which of :data:`ISA_FLAGS` ``/proc/cpuinfo`` lists (None where it
    cannot be read)."""
    try:
        with open('/proc/cpuinfo') as f:
            line = next(ln for ln in f if ln.startswith('flags'))
    except (OSError, StopIteration):
        return None
    flags = set(line.split(':', 1)[1].split())
    return {flag: flag in flags for flag in ISA_FLAGS}


def int8_target_check(results: Dict[str, Dict]) -> Optional[Dict]:
    """Whether :data:`INT8_TARGET` is met by the fastest INT8 student
    (None without INT8 student rows or the reference teacher row)."""
    rows = [r for r in results.values()
            if r['runtime'] == INT8 and not r['teacher']]
    reference = results.get(INT8_TARGET['reference'])
    if not rows or reference is None:
        return None
    best = min(rows, key=lambda r: r['latency']['median_ms'])
    median = best['latency']['median_ms']
    teacher_int8 = results.get(f'{TEACHER}/{INT8}')
    ratio = median / reference['latency']['median_ms']
    return dict(
        INT8_TARGET, row=f'{best["name"]}/{INT8}', ratio=ratio,
        met=bool(ratio <= INT8_TARGET['max_ratio']),
        ratio_to_int8_teacher=(median / teacher_int8['latency']['median_ms']
                               if teacher_int8 else None))
