# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Per-sample inference cost of HalluciNet's 2D students vs its 3D teacher,
in PyTorch and ONNX Runtime, side by side in one run.

The teacher is the paper's 3D-ResNeXt-101 (``ResNeXt3D`` + global average
pooling) on a 16x112x112 clip, exported with ``torch.onnx.export``. A
student is its shipped config's recognizer (random weights, no teacher) as
deployed: backbone + main head on one frame (``StudentExportWrapper``,
exported by :func:`hallucinet_mm.deployment.export_student_onnx`); ``+hallu``
rows add the hallucination head (PyTorch only). Per row: parameters and
FLOPs (``mmengine.analysis.get_model_complexity_info``), batch-1 latency
(median, p90 of ``--repeats`` calls after ``--warmup``), peak memory and
the ratios to the teacher (latency: to the faster of its float32 runtimes,
and to the teacher in the row's own runtime). Each row runs in a fresh
process, the teacher first; latencies compare only within one run (the
JSON keeps the load average at the start and the end, and the CPU's
instruction set extensions that INT8 speed depends on).

``--runtimes ... onnxruntime-int8`` adds static INT8 rows (teacher and
students): the float32 ONNX file quantized by
:func:`hallucinet_mm.deployment.quantization.quantize_student` (QDQ,
per-channel INT8 weights, INT8 activations). As the weights here are
random, so are its calibration inputs (``cost_int8.INT8_CALIBRATION`` of
them): latency does not depend on the scales; INT8 *accuracy* is measured
on real frames by ``tools/analysis/int8_accuracy.py``.

Example::

    python tools/analysis/benchmark_cost.py --threads 2 \\
        --runtimes pytorch onnxruntime onnxruntime-int8 \\
        --out docs/benchmarks/cost.json
"""
import argparse
import multiprocessing
import os.path as osp
import sys
import tempfile
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)  # run as a script from anywhere
from tools.analysis.bench_utils import (MemoryProbe,  # noqa: E402
                                        finish_report, format_table,
                                        run_metadata, summarize_times,
                                        synchronize)
from tools.analysis.cost_int8 import (INT8, INT8_TARGET,  # noqa: E402
                                      TEACHER, cpu_isa_flags,
                                      int8_target_check, quantize_onnx)

RUNTIMES = ('pytorch', 'onnxruntime')  # the default
ALL_RUNTIMES = RUNTIMES + (INT8, )
UCF = 'configs/ucf101/hallucinet_{}_resnext101-k400_1xb25-1x1x1-50e_ucf101.py'
#: Student arch -> (config, backbone replacing the config's or None).
STUDENTS = OrderedDict([
    ('vgg11_bn', (UCF.format('vgg11bn'), None)),
    ('resnet18', (UCF.format('vgg11bn'), dict(type='torchvision.resnet18'))),
    ('resnet50', (UCF.format('r50'), None)),
    ('mobilenet_v2', (UCF.format('mobilenetv2'), None)),
    ('mobilenet_v3_small', (UCF.format('mobilenetv3-small'), None)),
])
#: Issue 11: this row's latency at most 1.5 % of the faster teacher's.
TARGET = dict(row='mobilenet_v3_small@224/onnxruntime', max_ratio=0.015)
FLOPS_NOTE = (
    'FLOPs: mmengine.analysis.get_model_complexity_info (fvcore counting): '
    'one multiply-accumulate of a convolution or matrix product is 1 FLOP; '
    'BatchNorm and adaptive average pooling count 1 per element; '
    'activations and additions are not counted.')
MEMORY_NOTE = (
    'Peak memory (approximate, Linux): the peak resident set size during the '
    'calls (VmHWM, reset through /proc/self/clear_refs) over the resident '
    'size before them; allocator caches and library workspaces count. CUDA: '
    'torch.cuda.max_memory_allocated.')


MODELS_MEASURED = [TEACHER] + [
    f'{arch}@{size}{hallu}' for hallu in ('', '+hallu')
    for arch, size in [('vgg11_bn', 224), ('vgg11_bn', 112), (
        'resnet18', 224), ('resnet50', 224), ('mobilenet_v2', 224),
                       ('mobilenet_v3_small', 224)]
]


def input_shape(name: str, tiny: bool = False) -> Tuple[int, ...]:
    """(1, 3, 16, 112, 112) for the teacher, (1, 1, 3, S, S) for a student
    ``arch@S``; ``tiny``: 32x32 (and 4 frames)."""
    if name == TEACHER:
        return (1, 3, 4, 32, 32) if tiny else (1, 3, 16, 112, 112)
    size = 32 if tiny else int(name.split('@')[1].split('+')[0])
    return (1, 1, 3, size, size)


class StudentWithHallu(nn.Module):
    """A student's logits and its hallucinated features, (N, C) and
    (N, 2048), from one pass (both are outputs, so both are counted)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, imgs: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        feats, phi_s, steps = self.model.student_features(imgs, True)
        logits = self.model.cls_head(feats[:, :, None, None], num_segs=steps)
        return logits, phi_s


def build_model(name: str, tiny: bool = False) -> Tuple[nn.Module, str]:
    """Builds a model of :data:`MODELS_MEASURED`, random weights, eval mode.

    A student is its shipped config's recognizer with no teacher (and no
    hallucination head unless ``+hallu``); the module measured is its
    ``StudentExportWrapper`` (``+hallu``: :class:`StudentWithHallu`). ``tiny`` builds
    a depth-50 teacher.

    Returns:
        tuple[nn.Module, str]: The module and a description.
    """
    import hallucinet_mm  # noqa: F401  (registers the modules)
    from hallucinet_mm.deployment import StudentExportWrapper
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    if name == TEACHER:
        depth = 50 if tiny else 101
        model = MODELS.build(dict(type='ResNeXt3D', depth=depth,
                                  with_pool=True))
        return model.eval(), f'ResNeXt3D(depth={depth}) + global avg pool'
    config, backbone = STUDENTS[name.split('@')[0]]
    cfg = Config.fromfile(osp.join(ROOT, config)).model
    cfg.teacher = None
    cfg.backbone = backbone or cfg.backbone
    cfg.backbone.pop('pretrained', None)  # mmaction backbones: no download
    if cfg.backbone.type.startswith('torchvision.'):
        cfg.backbone.weights = None
    if not name.endswith('+hallu'):
        cfg.hallu_head = None
    model = MODELS.build(cfg).eval()
    desc = (f'{config} student ({type(model.backbone).__name__} backbone, '
            'random weights) + cls_head')
    if name.endswith('+hallu'):
        return StudentWithHallu(model).eval(), desc + ' + hallu_head'
    return StudentExportWrapper(model).eval(), desc


def export_onnx(model: nn.Module, x: torch.Tensor, path: str) -> str:
    """Exports a student's ``StudentExportWrapper`` with
    ``export_student_onnx``, the teacher with ``torch.onnx.export``
    (TorchScript exporter, opset 17, dynamic batch)."""
    from hallucinet_mm.deployment import (StudentExportWrapper,
                                          export_student_onnx)
    if isinstance(model, StudentExportWrapper):
        return export_student_onnx(model.model, path, input_shape=x.shape)
    if isinstance(model, StudentWithHallu):
        raise ValueError('the deployed student has no hallucination head: '
                         '+hallu models run in PyTorch only')
    with torch.no_grad():
        torch.onnx.export(
            model, (x, ), path, dynamo=False, opset_version=17,
            input_names=['clips'], output_names=['feats'],
            dynamic_axes=dict(clips={0: 'batch'}, feats={0: 'batch'}))
    return path


def onnx_session(path: str, device: str, threads: Optional[int]):
    """An ONNX Runtime session (``threads`` intra-op threads, 1 inter-op)."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or torch.get_num_threads()
    options.inter_op_num_threads = 1
    provider = ('CUDAExecutionProvider'
                if device.startswith('cuda') else 'CPUExecutionProvider')
    return ort.InferenceSession(path, options, providers=[provider])


def measure_model(name: str,
                  runtime: str = 'pytorch',
                  device: str = 'cpu',
                  repeats: int = 30,
                  warmup: int = 5,
                  threads: Optional[int] = None,
                  tiny: bool = False,
                  seed: int = 0) -> Dict[str, object]:
    """Measures one model in one runtime, in this process: build (and
    export), memory baseline, ``warmup`` untimed and ``repeats`` timed calls,
    memory peak, then FLOPs and parameters. ``threads`` sets torch's and
    ONNX Runtime's intra-op threads; ``tiny`` test-sized models and inputs.

    Returns:
        dict: ``name``, ``runtime``, ``teacher``, ``description``,
        ``input_shape``, ``params``, ``flops``, ``gflops``, ``latency``
        (:func:`summarize_times`), ``memory`` and ``threads``; ONNX rows add
        ``onnx_max_abs_diff`` (to PyTorch, on the same input).

    Raises:
        KeyError: If ``name`` or ``runtime`` is unknown.
    """
    if name not in MODELS_MEASURED or runtime not in ALL_RUNTIMES:
        raise KeyError(f'unknown model {name!r} or runtime {runtime!r}; '
                       f'choose from {MODELS_MEASURED} and {ALL_RUNTIMES}')
    if threads is not None:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model, desc = build_model(name, tiny)
    shape = input_shape(name, tiny)
    model, x = model.to(device), torch.randn(shape).to(device)
    extra = {}
    with torch.inference_mode():
        call = (lambda: model(x))  # noqa: E731
        if runtime != 'pytorch':
            tmp = tempfile.TemporaryDirectory()
            path = export_onnx(model, x, osp.join(tmp.name, 'm.onnx'))
            if runtime == INT8:
                path = quantize_onnx(path, x.cpu(), seed)
            session = onnx_session(path, device, threads)
            feed = {session.get_inputs()[0].name: x.cpu().numpy()}
            call = (lambda: session.run(None, feed)[0])  # noqa: E731
        probe = MemoryProbe(device)
        probe.start()
        for _ in range(warmup):
            call()
        times = []
        for _ in range(repeats):
            synchronize(device)
            start = time.perf_counter()
            call()
            synchronize(device)
            times.append(time.perf_counter() - start)
        memory = probe.stop()
        if runtime != 'pytorch':
            diff = call() - model(x).cpu().numpy()
            extra['onnx_max_abs_diff'] = float(abs(diff).max())
    from mmengine.analysis import get_model_complexity_info
    complexity = get_model_complexity_info(
        model, inputs=(x, ), show_table=False, show_arch=False)
    if runtime != 'pytorch':
        tmp.cleanup()
    return dict(
        name=name, runtime=runtime, teacher=name == TEACHER,
        description=desc, input_shape=list(shape),
        params=int(complexity['params']), flops=int(complexity['flops']),
        gflops=complexity['flops'] / 1e9, latency=summarize_times(times),
        memory=memory, threads=torch.get_num_threads(), **extra)


def measure_isolated(name: str, **kwargs) -> Dict[str, object]:
    """Runs :func:`measure_model` in a fresh (spawned) Python process."""
    context = multiprocessing.get_context('spawn')
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(measure_model, name, **kwargs).result()


def add_ratios(results: Dict[str, Dict]) -> None:
    """Adds ``ratio_to_teacher`` to every row in place (with a teacher).

    ``latency_median`` is over the median of the faster float32 teacher
    runtime (PyTorch or ONNX Runtime), ``latency_same_runtime`` over the
    teacher's in the row's runtime (INT8 rows: the INT8 teacher's).
    """
    teachers = {r['runtime']: r for r in results.values() if r['teacher']}
    if not teachers:
        return
    best = min(r['latency']['median_ms'] for r in teachers.values()
               if r['runtime'] != INT8 or len(teachers) == 1)
    ref = next(iter(teachers.values()))
    for r in results.values():
        median = r['latency']['median_ms']
        same = teachers.get(r['runtime'])
        r['ratio_to_teacher'] = dict(
            latency_median=median / best,
            latency_same_runtime=(median / same['latency']['median_ms']
                                  if same else None),
            flops=r['flops'] / ref['flops'],
            params=r['params'] / ref['params'])


def measure_models(names: Sequence[str], runtimes: Sequence[str],
                   isolate: bool = True, skip: Sequence[str] = (),
                   **kwargs) -> 'OrderedDict':
    """Measures every (model, runtime) pair, the teacher first; adds ratios.

    ``+hallu`` rows run in PyTorch only (the deployed graph has no head);
    rows named in ``skip`` (``'<model>/<runtime>'``) are not measured.

    Returns:
        OrderedDict: ``'<model>/<runtime>'`` -> :func:`measure_model`'s
        result.
    """
    results = OrderedDict()
    measure = measure_isolated if isolate else measure_model
    for name in sorted(names, key=lambda n: n != TEACHER):
        for runtime in runtimes:
            key = f'{name}/{runtime}'
            if (runtime != 'pytorch' and name.endswith('+hallu')
                    or key in skip):
                continue
            print(f'measuring {name} in {runtime} ...', flush=True)
            start = time.perf_counter()
            results[key] = measure(name, runtime=runtime, **kwargs)
            print(f'  done in {time.perf_counter() - start:.1f} s (median '
                  f'{results[key]["latency"]["median_ms"]:.3f} ms)',
                  flush=True)
    add_ratios(results)
    return results


def target_check(results: Dict[str, Dict]) -> Optional[Dict]:
    """Whether :data:`TARGET` is met (None if its row or the teacher is
    missing)."""
    ratio = results.get(TARGET['row'], {}).get('ratio_to_teacher')
    if ratio is None:
        return None
    value = ratio['latency_median']
    return dict(TARGET, ratio=value, met=bool(value <= TARGET['max_ratio']))


def format_model_table(results: Dict[str, Dict]) -> str:
    """The compute table as text."""
    rows = []
    for r in results.values():
        ratio = r.get('ratio_to_teacher')
        same = ratio and ratio['latency_same_runtime']
        rows.append([
            r['name'], r['runtime'], 'x'.join(map(str, r['input_shape'])),
            f'{r["params"] / 1e6:.2f}', f'{r["gflops"]:.2f}',
            f'{r["latency"]["median_ms"]:.2f}',
            f'{r["latency"]["p90_ms"]:.2f}',
            f'{r["memory"]["increase_mib"]:.1f}',
            f'{ratio["latency_median"]:.4f}' if ratio else '-',
            f'{same:.4f}' if same else '-',
            f'{ratio["flops"]:.3f}' if ratio else '-'
        ])
    return format_table([
        'model', 'runtime', 'input', 'params(M)', 'GFLOPs', 'median ms',
        'p90 ms', 'mem+ MiB', 'lat/teacher', 'lat/same-rt', 'FLOPs/teacher'
    ], rows)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parses and checks the command line (errors name the option)."""
    parser = argparse.ArgumentParser(
        description='Per-sample cost of the HalluciNet students vs the 3D '
        'teacher, in PyTorch and ONNX Runtime.')
    add = parser.add_argument
    add('--out', default='work_dirs/benchmarks/cost.json')
    add('--models', nargs='+', default=MODELS_MEASURED,
        choices=MODELS_MEASURED, metavar='MODEL',
        help=f'default all; ratios need {TEACHER}. Choices: '
        f'{", ".join(MODELS_MEASURED)}')
    add('--runtimes', nargs='+', default=list(RUNTIMES),
        choices=ALL_RUNTIMES, help=f'default {" ".join(RUNTIMES)}')
    add('--device', choices=['cpu', 'cuda'],
        default='cuda' if torch.cuda.is_available() else 'cpu')
    add('--threads', type=int, help='torch.set_num_threads')
    add('--repeats', type=int, default=30, help='timed calls per row')
    add('--warmup', type=int, default=5, help='untimed calls first')
    add('--seed', type=int, default=0)
    add('--no-int8-teacher', action='store_true',
        help=f'no {TEACHER}/{INT8} row (its quantization is slow)')
    add('--no-isolate', action='store_true',
        help='every row in this process (faster; memory not per model)')
    add('--tiny', action='store_true',
        help='tests only: depth-50 teacher on 4x32x32, students on 32x32')
    args = parser.parse_args(argv)
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda, but CUDA is not available')
    if args.repeats < 1 or args.warmup < 0:
        parser.error('--repeats must be >= 1 and --warmup >= 0')
    return args


def onnx_runtimes(runtimes: Sequence[str], device: str) -> List[str]:
    """``runtimes`` less ONNX Runtime when it (or its CUDA provider) is
    missing, with a printed note."""
    try:
        import onnx  # noqa: F401
        import onnxruntime as ort
        missing = device == 'cuda' and (
            'CUDAExecutionProvider' not in ort.get_available_providers())
    except ImportError:
        missing = True
    if missing and 'onnxruntime' in runtimes:
        print('NOTE: no onnx/onnxruntime (pip install -r requirements/'
              'deploy.txt) or no CUDA provider for --device cuda: the ONNX '
              'Runtime rows are skipped')
    return [r for r in runtimes if not (missing and r != 'pytorch')]


def main(argv: Optional[Sequence[str]] = None) -> Dict:
    """Measures, prints the table and writes the JSON report."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    runtimes = onnx_runtimes(args.runtimes, args.device)
    report = dict(meta=run_metadata(__file__, argv, args.device))
    report['meta']['cpu_isa_flags'] = cpu_isa_flags()
    if args.tiny:
        print('NOTE: --tiny: test-sized models and inputs, not real costs')
    results = measure_models(
        args.models, runtimes, isolate=not args.no_isolate,
        skip=[f'{TEACHER}/{INT8}'] if args.no_int8_teacher else [],
        device=args.device, repeats=args.repeats, warmup=args.warmup,
        threads=args.threads, tiny=args.tiny, seed=args.seed)
    target, int8_target = target_check(results), int8_target_check(results)
    report['models'] = dict(
        settings=dict(vars(args), runtimes=runtimes, batch_size=1,
                      timer='time.perf_counter (CUDA synchronised)',
                      weights='random (cost does not depend on them)'),
        notes=[FLOPS_NOTE, MEMORY_NOTE], target=target,
        int8_target=int8_target, results=results)
    print(format_model_table(results))
    print(f'{FLOPS_NOTE}\n{MEMORY_NOTE}\ndevice: '
          f'{report["meta"]["device_name"]}, threads: '
          f'{torch.get_num_threads()}')
    if target is not None:
        print(f'target: {TARGET["row"]} latency / teacher '
              f'{target["ratio"]:.4f} <= {TARGET["max_ratio"]}: '
              f'{"met" if target["met"] else "MISSED"}')
    if int8_target is not None:
        to_int8 = int8_target['ratio_to_int8_teacher']
        print(f'INT8 target: {int8_target["row"]} latency / '
              f'{INT8_TARGET["reference"]} {int8_target["ratio"]:.4f} <= '
              f'{INT8_TARGET["max_ratio"]}: '
              f'{"met" if int8_target["met"] else "MISSED"}' +
              (f' (/ INT8 teacher: {to_int8:.4f})' if to_int8 else ''))
    print(f'CPU flags: {report["meta"]["cpu_isa_flags"]}')
    finish_report(report, args.out)
    return report


if __name__ == '__main__':
    main()
