# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Per-sample cost of HalluciNet's 2D students vs its 3D teacher, and the
bandwidth of one frame vs a 16-frame segment.

Two independent parts; both print a table and go into one JSON file.

**Compute** (``--models``). The teacher is the paper's 3D-ResNeXt-101 (Hara
et al.; :class:`~hallucinet_mm.models.backbones.ResNeXt3D` with global
average pooling) on a 1x3x16x112x112 clip. The students are torchvision
networks (``weights=None``) used the way MMAction2's ``Recognizer2D`` uses
them: the classifier is replaced by ``Identity`` and the backbone's features
are global-average-pooled. Each student is also measured with HalluciNet's
hallucination head on top (``+hallu``: Linear(d, 2048) + ReLU). For every
model:

* ``params``: the number of parameters of the modules that run;
* ``gflops``: what ``torch.utils.flop_counter.FlopCounterMode`` counts for
  one batch-1 forward, divided by 1e9. It counts **2 x multiply-accumulates
  of convolutions and matrix products** only (no biases, BN, activations,
  pooling or additions);
* latency: batch 1, ``--warmup`` untimed forwards, then ``--repeats`` timed
  forwards under ``torch.inference_mode`` (``time.perf_counter`` on the CPU,
  CUDA events after ``torch.cuda.synchronize`` on a GPU); median, p90, mean
  and min in milliseconds;
* peak memory: on the CPU, every model runs in a fresh Python process and
  the peak resident set size during the forwards, over the resident size
  just before them, is reported. On Linux the peak (``VmHWM``) is reset
  through ``/proc/self/clear_refs`` just before the first forward; elsewhere
  ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` before/after is used, which
  cannot be reset and so misses memory below an earlier peak (building the
  model; and the ``ru_maxrss`` of an exec-ed child starts at its parent's
  peak). Approximate either way: allocator caches and library workspaces
  count. On CUDA, ``torch.cuda.max_memory_allocated`` over the forwards,
  total and above what was allocated before (weights and input);
* ratios to the teacher (latency medians, FLOPs, parameters), from the same
  run.

**Bandwidth** (``--sources``). Source videos are real encoded files: the
synthetic motion videos of ``tools/data/make_synthetic_videos.py``
(synthetic content) and a virtual camera panning and zooming over real
photographs bundled in scikit-image (``astronaut``, ``coffee``,
``chelsea``: natural images, synthetic camera motion, no independent object
motion). Both are written as MPEG-4 Part 2 (``mp4v``) files by
:func:`~tools.data.make_synthetic_videos.write_video` at
``--source-resolution`` (default 320x240, UCF-101's size) and decoded with
PyAV. The decoded frames are resized (``cv2.INTER_AREA``) to each of
``--resolutions`` and cut into non-overlapping 16-frame segments. For each
segment it measures the bytes of (a) its first frame as a JPEG
(``cv2.imencode``, quality ``--jpeg-quality``), (b) its 16 frames as 16
JPEGs, (c) the 16 frames encoded with libx264 (``--crf``, ``--preset``,
yuv420p, one encoder thread, in-memory) as an mp4 file holding just those
frames, and the sum of its H.264 packets (the file less the container).
The mean PSNR of the decoded JPEGs and of the decoded H.264 frames against
the segment is reported beside the sizes: the two codecs are not at equal
quality, so read the byte ratios with the PSNRs.

The default resolutions are 320x240 (the student's frames) and 172x128
(the teacher's 171x128, rounded up to even sides for yuv420p).

Latencies are only comparable within one run on a quiet machine: the models
run one after the other (the teacher first), and on a loaded machine with
several threads, OpenMP barriers stretch the times many-fold. The JSON keeps
the load average at the start and the end, the command line, versions,
device name and thread count.

Example::

    python tools/analysis/benchmark_cost.py --threads 2 \
        --out work_dirs/benchmarks/cost.json
"""
import argparse
import contextlib
import datetime
import io
import json
import math
import os
import os.path as osp
import platform
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
from torch.utils.flop_counter import FlopCounterMode

_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if _ROOT not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, _ROOT)

#: Name of the teacher in ``MODEL_SPECS``.
TEACHER = 'resnext3d101'
#: Feature dimension of the teacher, i.e. the hallucination head's output.
TEACHER_FEAT_DIM = 2048
#: Frames in a segment (the teacher's clip length).
SEGMENT_LEN = 16
#: Where the JSON goes by default.
DEFAULT_OUT = 'work_dirs/benchmarks/cost.json'
#: Photographs of scikit-image used as natural content.
PHOTOS = ('astronaut', 'coffee', 'chelsea')
#: Every bandwidth source.
SOURCES = ('synthetic', ) + PHOTOS

FLOPS_NOTE = (
    'GFLOPs = FLOPs / 1e9 as counted by torch.utils.flop_counter.'
    'FlopCounterMode: 2 x multiply-accumulates of convolutions and matrix '
    'products (linear layers); biases, BatchNorm, activations, pooling and '
    'additions are not counted.')
CPU_MEMORY_NOTE = (
    'CPU peak memory (approximate): each model runs in a fresh process; the '
    'increase is the peak resident set size during the forwards over the '
    'resident size just before them. On Linux the peak (VmHWM) is reset '
    'through /proc/self/clear_refs before the forwards; where that is not '
    'possible, getrusage ru_maxrss before/after is used, which misses '
    'memory below an earlier peak (building the model, or the parent '
    'process: ru_maxrss of an exec-ed child starts at its parent\'s peak). '
    'Allocator caches and library workspaces count; freed memory that the '
    'allocator reuses does not.')
CUDA_MEMORY_NOTE = (
    'CUDA peak memory: torch.cuda.max_memory_allocated over the forwards; '
    'the increase is above what was allocated before them (weights, input).')
SOURCE_NOTE = (
    "Source 'synthetic': synthetic motion videos (rendered bar on a textured "
    'background, tools/data/make_synthetic_videos.py) - synthetic content. '
    'Sources astronaut/coffee/chelsea: real photographs bundled in '
    'scikit-image, shown through a virtual camera pan + zoom (natural image '
    'content, synthetic global motion, no independent object motion or '
    'sensor noise unless --natural-noise-std > 0).')
H264_NOTE = (
    'libx264 (PyAV 18.1.0 wheel) reads uninitialised memory with B-frames '
    'and subme >= 2 (preset medium): the H.264 size of a segment varies by '
    'about 1-2 % between runs; means over segments by well under 1 %. '
    '--x264-params subme=1 or bframes=0 makes sizes reproducible (and '
    'different).')


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSpec:
    """A model to measure.

    Attributes:
        name (str): Key in ``MODEL_SPECS`` and in the results.
        role (str): ``'teacher'`` or ``'student'``.
        arch (str): ``'resnext3d'`` or a ``torchvision.models`` builder.
        size (int): Input side (height = width).
        hallu (bool): Whether the hallucination head is on top.
    """

    name: str
    role: str
    arch: str
    size: int
    hallu: bool = False

    def input_shape(self, tiny: bool = False) -> Tuple[int, ...]:
        """The batch-1 input shape, (1, 3, [16,] H, W).

        Args:
            tiny (bool): The test-sized input (32x32, 4 frames).

        Returns:
            tuple[int]: The shape.
        """
        size = 32 if tiny else self.size
        if self.role == 'teacher':
            return (1, 3, 4 if tiny else SEGMENT_LEN, size, size)
        return (1, 3, size, size)


def _model_specs() -> 'OrderedDict[str, ModelSpec]':
    """The teacher, the students and the students with the head."""
    specs = [ModelSpec(TEACHER, 'teacher', 'resnext3d', 112)]
    students = [('vgg11_bn', 224), ('vgg11_bn', 112), ('resnet18', 224),
                ('resnet50', 224), ('mobilenet_v2', 224),
                ('mobilenet_v3_small', 224)]
    for hallu in (False, True):
        for arch, size in students:
            name = f'{arch}@{size}' + ('+hallu' if hallu else '')
            specs.append(ModelSpec(name, 'student', arch, size, hallu))
    return OrderedDict((s.name, s) for s in specs)


#: Every model that ``--models`` accepts, in measurement order.
MODEL_SPECS = _model_specs()


class PooledStudent(nn.Module):
    """A torchvision classifier used as MMAction2's ``Recognizer2D`` does.

    The classifier (``classifier`` / ``fc``) is replaced by ``Identity``;
    networks with a ``features`` module run only it, the others (ResNets)
    run whole; a spatial map is global-average-pooled to (N, C).

    Args:
        net (nn.Module): A torchvision classification network.
    """

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        net.classifier = nn.Identity()
        net.fc = nn.Identity()
        self.net = net
        self.use_features = hasattr(net, 'features')
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled features, (N, C)."""
        x = self.net.features(x) if self.use_features else self.net(x)
        if x.dim() == 4:
            x = self.pool(x)
        return x.flatten(1)


class PooledTeacher(nn.Module):
    """3D-ResNeXt with global average pooling: clips -> (N, 2048).

    Args:
        depth (int): ResNeXt depth (101 for the paper's teacher).
    """

    def __init__(self, depth: int = 101) -> None:
        super().__init__()
        import hallucinet_mm  # noqa: F401  (applies the mmaction fixes)
        from hallucinet_mm.models.backbones.resnext3d import ResNeXt3D
        self.backbone = ResNeXt3D(depth=depth, with_pool=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled features, (N, 2048)."""
        return self.backbone(x).flatten(1)


def _feat_dim(arch: str) -> int:
    """Output width of a student, from a forward on the meta device.

    Nothing is computed or allocated, so the memory baseline of the
    measurement is not raised.
    """
    import torchvision
    with torch.device('meta'):
        model = PooledStudent(torchvision.models.get_model(arch, weights=None))
        return model.eval()(torch.empty(1, 3, 32, 32)).shape[1]


def build_model(spec: ModelSpec, tiny: bool = False) -> Tuple[nn.Module, str]:
    """Builds a model of ``MODEL_SPECS`` with random weights, in eval mode.

    Args:
        spec (ModelSpec): What to build.
        tiny (bool): Build a depth-50 teacher (for tests).

    Returns:
        tuple[nn.Module, str]: The model and a description of it.
    """
    if spec.role == 'teacher':
        depth = 50 if tiny else 101
        return PooledTeacher(depth).eval(), (
            f'ResNeXt3D(depth={depth}, cardinality=32) + global avg pool')
    import torchvision
    model = PooledStudent(
        torchvision.models.get_model(spec.arch, weights=None)).eval()
    desc = (f'torchvision {spec.arch}(weights=None), classifier removed, '
            'features + global avg pool')
    if spec.hallu:
        import hallucinet_mm  # noqa: F401
        from hallucinet_mm.models.heads.hallucination_head import \
            HallucinationHead
        dim = _feat_dim(spec.arch)
        model = nn.Sequential(model, HallucinationHead(dim, TEACHER_FEAT_DIM))
        desc += (f' + HallucinationHead(Linear({dim}, {TEACHER_FEAT_DIM})'
                 ' + ReLU)')
    return model.eval(), desc


# --------------------------------------------------------------------------
# Measurements of one model
# --------------------------------------------------------------------------


def count_parameters(model: nn.Module) -> int:
    """Number of parameters of ``model``.

    Args:
        model (nn.Module): The model.

    Returns:
        int: The count.
    """
    return sum(p.numel() for p in model.parameters())


def count_flops(model: nn.Module, x: torch.Tensor,
                autocast=contextlib.nullcontext) -> int:
    """FLOPs of one forward, as ``FlopCounterMode`` counts them.

    It counts 2 x multiply-accumulates of convolutions and matrix products.

    Args:
        model (nn.Module): The model.
        x (Tensor): Its input.
        autocast (callable): A context-manager factory wrapping the forward.

    Returns:
        int: Total FLOPs.
    """
    counter = FlopCounterMode(display=False)
    with torch.inference_mode(), autocast(), counter:
        model(x)
    return int(counter.get_total_flops())


def _synchronize(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def time_forward(model: nn.Module,
                 x: torch.Tensor,
                 device: str,
                 repeats: int,
                 warmup: int,
                 autocast=contextlib.nullcontext) -> List[float]:
    """Times ``repeats`` forwards after ``warmup`` untimed ones.

    Args:
        model (nn.Module): The model.
        x (Tensor): Its input (on ``device``).
        device (str): ``'cpu'`` or ``'cuda[:i]'``.
        repeats (int): Timed forwards.
        warmup (int): Untimed forwards first.
        autocast (callable): A context-manager factory wrapping the forwards.

    Returns:
        list[float]: Seconds per forward.
    """
    cuda = device.startswith('cuda')
    times = []
    with torch.inference_mode(), autocast():
        for _ in range(warmup):
            model(x)
        _synchronize(device)
        for _ in range(repeats):
            if cuda:
                start = torch.cuda.Event(enable_timing=True)
                end = torch.cuda.Event(enable_timing=True)
                start.record()
                model(x)
                end.record()
                end.synchronize()
                times.append(start.elapsed_time(end) / 1e3)
            else:
                start = time.perf_counter()
                model(x)
                times.append(time.perf_counter() - start)
    return times


def summarize_latency(times: Sequence[float]) -> Dict[str, float]:
    """Median, p90, mean, min and max of timings, in milliseconds.

    Args:
        times (Sequence[float]): Seconds per forward.

    Returns:
        dict: ``median_ms``, ``p90_ms``, ``mean_ms``, ``min_ms``,
        ``max_ms`` and ``repeats``.
    """
    ms = np.asarray(times, dtype=np.float64) * 1e3
    return dict(
        median_ms=float(np.median(ms)),
        p90_ms=float(np.percentile(ms, 90)),
        mean_ms=float(ms.mean()),
        min_ms=float(ms.min()),
        max_ms=float(ms.max()),
        repeats=int(ms.size))


def peak_rss_bytes() -> int:
    """The process's peak resident set size, ``getrusage`` ``ru_maxrss``.

    Note:
        On Linux, ``ru_maxrss`` of a process started by ``exec`` is at least
        the peak RSS of the process that started it, and it cannot be reset;
        :class:`MemoryProbe` prefers ``VmHWM`` (see :func:`_read_vm_kib`).

    Returns:
        int: Bytes (Linux and BSD report KiB, macOS bytes).
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == 'darwin' else peak * 1024)


def _read_vm_kib(field: str) -> Optional[int]:
    """A ``/proc/self/status`` field in KiB (e.g. ``VmHWM``, ``VmRSS``).

    Returns:
        int | None: The value, or None where there is no such file.
    """
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Resets ``VmHWM`` to the current RSS (Linux >= 4.0).

    Returns:
        bool: Whether it worked.
    """
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        return False
    return _read_vm_kib('VmHWM') is not None


class MemoryProbe:
    """Peak memory of the forwards on one device.

    Call :meth:`start` just before the first forward and :meth:`stop` after
    the last. CPU: where Linux allows it, the peak RSS (``VmHWM``) is reset
    to the current RSS at :meth:`start` and read at :meth:`stop`, so the
    increase is the peak during the forwards over the RSS before them;
    elsewhere ``ru_maxrss`` before and after (see ``CPU_MEMORY_NOTE``).
    CUDA: ``torch.cuda.max_memory_allocated`` (see ``CUDA_MEMORY_NOTE``).

    Args:
        device (str): ``'cpu'`` or ``'cuda[:i]'``.
    """

    def __init__(self, device: str) -> None:
        self.cuda = device.startswith('cuda')
        self.vm_hwm = False
        self.before = 0

    def start(self) -> None:
        """Records the baseline."""
        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self.before = torch.cuda.memory_allocated()
        elif _reset_peak_rss():
            self.vm_hwm = True
            self.before = _read_vm_kib('VmRSS') * 1024
        else:
            self.before = peak_rss_bytes()

    def _peak(self) -> Tuple[int, str]:
        """The peak in bytes and how it was measured."""
        if self.cuda:
            torch.cuda.synchronize()
            return (torch.cuda.max_memory_allocated(),
                    'torch.cuda.max_memory_allocated')
        if self.vm_hwm:
            return (_read_vm_kib('VmHWM') * 1024,
                    'VmHWM reset before the forwards (approximate)')
        return peak_rss_bytes(), 'ru_maxrss before/after (approximate)'

    def stop(self) -> Dict[str, object]:
        """The peak and its increase over the baseline, in MiB.

        Returns:
            dict: ``method``, ``peak_mib``, ``increase_mib`` and
            ``before_mib``.
        """
        peak, method = self._peak()
        mib = 2.0**20
        return dict(
            method=method,
            peak_mib=peak / mib,
            increase_mib=max(0, peak - self.before) / mib,
            before_mib=self.before / mib)


def _autocast_factory(device: str, amp: bool, amp_dtype: str):
    """A context-manager factory: CUDA autocast, or a no-op."""
    if not amp:
        return contextlib.nullcontext
    dtype = getattr(torch, amp_dtype)
    return lambda: torch.autocast('cuda', dtype=dtype)


def _prepare(model: nn.Module, x: torch.Tensor, device: str,
             channels_last: bool) -> Tuple[nn.Module, torch.Tensor]:
    """Moves a model and its input to ``device`` (optionally channels-last).
    """
    model, x = model.to(device), x.to(device)
    if channels_last:
        fmt = (torch.channels_last_3d
               if x.dim() == 5 else torch.channels_last)
        model, x = model.to(memory_format=fmt), x.contiguous(
            memory_format=fmt)
    return model, x


def measure_model(name: str,
                  device: str = 'cpu',
                  repeats: int = 30,
                  warmup: int = 5,
                  threads: Optional[int] = None,
                  channels_last: bool = False,
                  amp: bool = False,
                  amp_dtype: str = 'float16',
                  tiny: bool = False,
                  seed: int = 0) -> Dict[str, object]:
    """Measures one model of ``MODEL_SPECS`` in this process.

    Order: build, memory baseline, warm-up and timed forwards, memory peak,
    then one more forward under ``FlopCounterMode``.

    Args:
        name (str): A key of ``MODEL_SPECS``.
        device (str): ``'cpu'`` or ``'cuda[:i]'``.
        repeats (int): Timed forwards.
        warmup (int): Untimed forwards before them.
        threads (int, optional): ``torch.set_num_threads``; None keeps
            torch's default.
        channels_last (bool): Channels-last memory format.
        amp (bool): CUDA autocast.
        amp_dtype (str): ``'float16'`` or ``'bfloat16'``.
        tiny (bool): Test-sized teacher and inputs (not the real costs).
        seed (int): Seed of the random weights and input.

    Returns:
        dict: ``role``, ``description``, ``input_shape``, ``params``,
        ``flops``, ``gflops``, ``latency`` (see :func:`summarize_latency`),
        ``memory`` (see :meth:`MemoryProbe.stop`), ``threads``, ``device``.
    """
    if name not in MODEL_SPECS:
        raise KeyError(f'unknown model {name!r}; choose from '
                       f'{list(MODEL_SPECS)}')
    if threads is not None:
        torch.set_num_threads(threads)
    if device.startswith('cuda'):
        torch.backends.cudnn.benchmark = True
    torch.manual_seed(seed)
    spec = MODEL_SPECS[name]
    model, desc = build_model(spec, tiny)
    shape = spec.input_shape(tiny)
    model, x = _prepare(model, torch.randn(shape), device, channels_last)
    autocast = _autocast_factory(device, amp, amp_dtype)

    probe = MemoryProbe(device)
    probe.start()
    times = time_forward(model, x, device, repeats, warmup, autocast)
    memory = probe.stop()
    flops = count_flops(model, x, autocast)
    return dict(
        role=spec.role,
        description=desc,
        input_shape=list(shape),
        params=count_parameters(model),
        flops=flops,
        gflops=flops / 1e9,
        latency=summarize_latency(times),
        memory=memory,
        threads=torch.get_num_threads(),
        device=device)


def measure_model_isolated(name: str, **kwargs) -> Dict[str, object]:
    """Runs :func:`measure_model` in a fresh Python process.

    Args:
        name (str): A key of ``MODEL_SPECS``.
        **kwargs: The other arguments of :func:`measure_model`.

    Returns:
        dict: What :func:`measure_model` returns.

    Raises:
        RuntimeError: If the worker process fails.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = osp.join(tmp, 'result.json')
        cmd = [
            sys.executable,
            osp.abspath(__file__), '--worker',
            json.dumps(dict(name=name, **kwargs)), '--worker-out', out
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or not osp.isfile(out):
            raise RuntimeError(
                f'measuring {name} failed (exit {proc.returncode}):\n'
                f'{proc.stderr[-3000:]}')
        with open(out) as f:
            return json.load(f)


def add_ratios(results: Dict[str, Dict], teacher: str = TEACHER) -> None:
    """Adds ``ratio_to_teacher`` (latency median, FLOPs, params) in place.

    Args:
        results (dict): Model name -> result of :func:`measure_model`.
        teacher (str): The teacher's name; nothing is added without it.
    """
    if teacher not in results:
        return
    ref = results[teacher]
    for res in results.values():
        res['ratio_to_teacher'] = dict(
            latency_median=res['latency']['median_ms'] /
            ref['latency']['median_ms'],
            flops=res['flops'] / ref['flops'],
            params=res['params'] / ref['params'])


def measure_models(names: Sequence[str],
                   isolate: bool = True,
                   log=print,
                   **kwargs) -> 'OrderedDict[str, Dict]':
    """Measures models one after the other (the teacher first), with ratios.

    Args:
        names (Sequence[str]): Keys of ``MODEL_SPECS``.
        isolate (bool): One fresh process per model (needed for per-model
            CPU peak memory).
        log (callable): Progress printer.
        **kwargs: Arguments of :func:`measure_model`.

    Returns:
        OrderedDict: Name -> result, in measurement order.
    """
    order = sorted(names, key=lambda n: n != TEACHER)
    results = OrderedDict()
    for name in order:
        log(f'measuring {name} ...')
        start = time.perf_counter()
        if isolate:
            results[name] = measure_model_isolated(name, **kwargs)
        else:
            results[name] = measure_model(name, **kwargs)
        log(f'  done in {time.perf_counter() - start:.1f} s')
    add_ratios(results)
    return results


# --------------------------------------------------------------------------
# Bandwidth
# --------------------------------------------------------------------------


def parse_resolution(text: str) -> Tuple[int, int]:
    """Parses ``'WxH'``; both sides must be even (4:2:0 chroma).

    Args:
        text (str): E.g. ``'320x240'``.

    Returns:
        tuple[int, int]: (width, height).

    Raises:
        ValueError: If malformed or odd.
    """
    try:
        width, height = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise ValueError(f'resolution must look like 320x240, got {text!r}')
    if width < 16 or height < 16 or width % 2 or height % 2:
        raise ValueError('resolution sides must be even and >= 16 (yuv420p '
                         f'H.264 needs even sides), got {text!r}; e.g. use '
                         '172x128 for 171x128')
    return width, height


def load_photo(name: str) -> np.ndarray:
    """A photograph bundled in scikit-image (no download), RGB uint8.

    Args:
        name (str): One of ``PHOTOS``.

    Returns:
        np.ndarray: (H, W, 3) uint8.
    """
    if name not in PHOTOS:
        raise ValueError(f'unknown photo {name!r}; choose from {PHOTOS}')
    from skimage import data
    image = np.asarray(getattr(data, name)())
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f'skimage.data.{name} is not RGB uint8')
    return image


def _pan_zoom_path(image_hw: Tuple[int, int], aspect: float,
                   num_frames: int, rng: np.random.Generator) -> np.ndarray:
    """Window centre and width per frame of a linear pan + zoom.

    The window keeps the output aspect; its width goes linearly between two
    random fractions (0.6-0.9) of the largest window that fits, and its
    centre linearly between two random points that keep it inside the
    photo (linear bounds, so every frame stays inside).

    Returns:
        np.ndarray: (T, 3): centre x, centre y, window width (photo px).
    """
    img_h, img_w = image_hw
    full_w = min(img_w, img_h * aspect)
    scales = rng.uniform(0.6, 0.9, size=2)
    widths = scales * full_w
    ends = []
    for win_w in widths:
        win_h = win_w / aspect
        ends.append((rng.uniform(win_w / 2, img_w - win_w / 2),
                     rng.uniform(win_h / 2, img_h - win_h / 2)))
    t = np.linspace(0.0, 1.0, num_frames)[:, None]
    start = np.array([*ends[0], widths[0]])
    end = np.array([*ends[1], widths[1]])
    return start + (end - start) * t


def render_pan_zoom(image: np.ndarray,
                    num_frames: int,
                    width: int,
                    height: int,
                    rng: np.random.Generator,
                    noise_std: float = 0.0) -> np.ndarray:
    """A virtual camera panning and zooming over a still photo.

    Args:
        image (np.ndarray): RGB uint8 photo, (H, W, 3).
        num_frames (int): Frames to render.
        width (int): Output width.
        height (int): Output height.
        rng (np.random.Generator): Draws the path (and the noise).
        noise_std (float): Std of i.i.d. Gaussian pixel noise (0-255 scale)
            added to every frame; 0 adds none.

    Returns:
        np.ndarray: (T, height, width, 3) uint8 frames.
    """
    import cv2
    path = _pan_zoom_path(image.shape[:2], width / height, num_frames, rng)
    frames = np.empty((num_frames, height, width, 3), np.uint8)
    for i, (cx, cy, win_w) in enumerate(path):
        scale = win_w / width  # photo px per output px
        # output pixel centre (x + 0.5) -> photo pixel centre
        offset_x = cx - win_w / 2 + 0.5 * scale - 0.5
        offset_y = cy - (win_w / (width / height)) / 2 + 0.5 * scale - 0.5
        matrix = np.array([[scale, 0, offset_x], [0, scale, offset_y]])
        frame = cv2.warpAffine(
            image,
            matrix, (width, height),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REFLECT)
        if noise_std > 0:
            noisy = frame + rng.normal(0.0, noise_std, frame.shape)
            frame = np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
        frames[i] = frame
    return frames


@dataclass
class SourceVideo:
    """An encoded source video.

    Attributes:
        source (str): ``'synthetic'`` or a photo name.
        path (str): The mp4 file.
        synthetic (bool): Whether its content is synthetic.
    """

    source: str
    path: str
    synthetic: bool


def make_synthetic_sources(out_dir: str, num_videos: int, num_frames: int,
                           width: int, height: int,
                           seed: int) -> List[SourceVideo]:
    """Writes synthetic motion videos (one per class, cycling).

    Args:
        out_dir (str): Directory for the dataset.
        num_videos (int): Videos wanted.
        num_frames (int): Frames per video.
        width (int): Frame width.
        height (int): Frame height.
        seed (int): Dataset seed.

    Returns:
        list[SourceVideo]: The videos.
    """
    from tools.data.make_synthetic_videos import (MAX_CLASSES,
                                                  make_synthetic_dataset)
    num_classes = min(num_videos, MAX_CLASSES)
    info = make_synthetic_dataset(
        out_dir,
        num_classes=num_classes,
        videos_per_class_train=math.ceil(num_videos / num_classes),
        videos_per_class_val=1,
        num_frames=num_frames,
        height=height,
        width=width,
        seed=seed)
    with open(info['train_ann']) as f:
        rel_paths = [line.split()[0] for line in f if line.strip()]
    return [
        SourceVideo('synthetic', osp.join(info['video_dir'], rel), True)
        for rel in rel_paths[:num_videos]
    ]


def make_photo_sources(out_dir: str, photos: Sequence[str],
                       clips_per_photo: int, num_frames: int, width: int,
                       height: int, seed: int,
                       noise_std: float) -> List[SourceVideo]:
    """Writes pan/zoom clips over photos as mp4v files.

    Args:
        out_dir (str): Directory for the files.
        photos (Sequence[str]): Names from ``PHOTOS``.
        clips_per_photo (int): Clips (random paths) per photo.
        num_frames (int): Frames per clip.
        width (int): Frame width.
        height (int): Frame height.
        seed (int): Seed of the paths and noise.
        noise_std (float): See :func:`render_pan_zoom`.

    Returns:
        list[SourceVideo]: The videos.
    """
    from tools.data.make_synthetic_videos import write_video
    videos = []
    for p_idx, photo in enumerate(photos):
        image = load_photo(photo)
        for clip in range(clips_per_photo):
            rng = np.random.default_rng([seed, p_idx, clip])
            frames = render_pan_zoom(image, num_frames, width, height, rng,
                                     noise_std)
            path = osp.join(out_dir, f'{photo}_{clip:02d}.mp4')
            videos.append(SourceVideo(photo, write_video(path, frames),
                                      False))
    return videos


def decode_video(data) -> np.ndarray:
    """Decodes every frame of a video with PyAV.

    Args:
        data (str | bytes): A file path or the file's bytes.

    Returns:
        np.ndarray: (T, H, W, 3) uint8 RGB frames.
    """
    import av
    src = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    with av.open(src) as container:
        frames = [
            f.to_ndarray(format='rgb24')
            for f in container.decode(video=0)
        ]
    return np.stack(frames)


def resize_frames(frames: np.ndarray, width: int,
                  height: int) -> np.ndarray:
    """Resizes frames with ``cv2.INTER_AREA`` (a no-op at the same size).

    Args:
        frames (np.ndarray): (T, H, W, 3) uint8.
        width (int): Target width.
        height (int): Target height.

    Returns:
        np.ndarray: (T, height, width, 3) uint8.
    """
    import cv2
    if frames.shape[1:3] == (height, width):
        return frames
    return np.stack([
        cv2.resize(f, (width, height), interpolation=cv2.INTER_AREA)
        for f in frames
    ])


def split_segments(frames: np.ndarray,
                   length: int = SEGMENT_LEN) -> List[np.ndarray]:
    """Non-overlapping segments of ``length`` frames from frame 0 on.

    Args:
        frames (np.ndarray): (T, H, W, 3).
        length (int): Frames per segment; a shorter tail is dropped.

    Returns:
        list[np.ndarray]: Segments, (length, H, W, 3) each.
    """
    return [
        frames[i:i + length]
        for i in range(0, len(frames) - length + 1, length)
    ]


def jpeg_encode(frame: np.ndarray, quality: int = 95) -> bytes:
    """One RGB frame as a JPEG file (``cv2.imencode``, 4:2:0).

    Args:
        frame (np.ndarray): (H, W, 3) uint8 RGB.
        quality (int): JPEG quality, 0-100.

    Returns:
        bytes: The JPEG file.
    """
    import cv2
    ok, buf = cv2.imencode('.jpg', np.ascontiguousarray(frame[..., ::-1]),
                           [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError('cv2.imencode failed')
    return buf.tobytes()


def jpeg_decode(data: bytes) -> np.ndarray:
    """Decodes a JPEG file to RGB.

    Args:
        data (bytes): The JPEG file.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB.
    """
    import cv2
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return bgr[..., ::-1]


def jpeg_size(frame: np.ndarray, quality: int = 95) -> int:
    """Bytes of one RGB frame as a JPEG (see :func:`jpeg_encode`).

    Args:
        frame (np.ndarray): (H, W, 3) uint8 RGB.
        quality (int): JPEG quality, 0-100.

    Returns:
        int: Bytes.
    """
    return len(jpeg_encode(frame, quality))


def psnr(reference: np.ndarray, test: np.ndarray) -> float:
    """Peak signal-to-noise ratio of 8-bit images, in dB (capped at 100).

    Args:
        reference (np.ndarray): uint8 array.
        test (np.ndarray): uint8 array of the same shape.

    Returns:
        float: PSNR over all pixels and channels.
    """
    diff = reference.astype(np.float64) - test.astype(np.float64)
    mse = float(np.mean(diff**2))
    return 100.0 if mse == 0 else min(100.0, 10 * math.log10(255**2 / mse))


def encode_h264(frames: np.ndarray,
                crf: int = 23,
                preset: str = 'medium',
                fps: int = 25,
                x264_params: Optional[str] = None) -> Tuple[bytes, int]:
    """Encodes frames with libx264 (yuv420p, one thread) into an mp4 file.

    Note:
        With B-frames and ``subme >= 2`` (preset medium's defaults) the
        libx264 of the PyAV 18.1.0 wheel reads uninitialised memory: sizes
        of the same frames vary by about 1-2 % from run to run (stable with
        ``MALLOC_PERTURB_`` set, or with ``x264_params='subme=1'`` or
        ``'bframes=0'``, which change the sizes themselves).

    Args:
        frames (np.ndarray): (T, H, W, 3) uint8 RGB, even H and W.
        crf (int): Constant rate factor.
        preset (str): x264 preset.
        fps (int): Frame rate.
        x264_params (str, optional): Extra ``x264-params``, e.g.
            ``'bframes=0'``.

    Returns:
        tuple[bytes, int]: The mp4 file's bytes and the summed size of its
        H.264 packets (the file less the container; SPS/PPS excluded).
    """
    import av
    height, width = frames.shape[1:3]
    buf = io.BytesIO()
    packet_bytes = 0
    with av.open(buf, mode='w', format='mp4') as container:
        stream = container.add_stream('libx264', rate=fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = 'yuv420p'
        stream.options = {'crf': str(crf), 'preset': preset}
        if x264_params:
            stream.options = dict(stream.options, **{
                'x264-params': x264_params})
        stream.codec_context.thread_count = 1  # sizes independent of cores
        for frame in frames:
            # rgb24 in; PyAV converts to the stream's yuv420p itself
            video_frame = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(frame), format='rgb24')
            for packet in stream.encode(video_frame):
                packet_bytes += packet.size
                container.mux(packet)
        for packet in stream.encode():  # flush
            packet_bytes += packet.size
            container.mux(packet)
    return buf.getvalue(), packet_bytes


def segment_sizes(segment: np.ndarray,
                  jpeg_quality: int = 95,
                  crf: int = 23,
                  preset: str = 'medium',
                  fps: int = 25,
                  x264_params: Optional[str] = None) -> Dict[str, float]:
    """Bytes of one segment in every form, and the quality of each.

    Args:
        segment (np.ndarray): (16, H, W, 3) uint8 RGB.
        jpeg_quality (int): JPEG quality.
        crf (int): x264 CRF.
        preset (str): x264 preset.
        fps (int): Frame rate of the mp4.
        x264_params (str, optional): Extra ``x264-params``.

    Returns:
        dict: ``jpeg_1f`` (first frame), ``jpeg_16f`` (all frames),
        ``h264_16f_mp4`` (the mp4 file), ``h264_16f_packets`` (bytes), and
        ``jpeg_psnr_db`` / ``h264_psnr_db``: mean PSNR of the decoded
        frames against ``segment``.
    """
    jpegs = [jpeg_encode(f, jpeg_quality) for f in segment]
    mp4, packets = encode_h264(segment, crf, preset, fps, x264_params)
    decoded = decode_video(mp4)
    return dict(
        jpeg_1f=len(jpegs[0]),
        jpeg_16f=sum(len(j) for j in jpegs),
        h264_16f_mp4=len(mp4),
        h264_16f_packets=packets,
        jpeg_psnr_db=float(
            np.mean([psnr(f, jpeg_decode(j)) for f, j in zip(segment,
                                                               jpegs)])),
        h264_psnr_db=float(
            np.mean([psnr(f, d) for f, d in zip(segment, decoded)])))


def summarize_sizes(rows: Sequence[Dict[str, float]]) -> Dict[str, object]:
    """Mean bytes per segment, ratios of the means and mean PSNRs.

    Args:
        rows (Sequence[dict]): Results of :func:`segment_sizes`.

    Returns:
        dict: ``segments``, ``mean_bytes`` (per kind), ``ratios``
        (``jpeg_16f/jpeg_1f``, ``h264_16f_mp4/jpeg_1f``,
        ``h264_16f_packets/jpeg_1f``, ``h264_16f_mp4/jpeg_16f``) and
        ``mean_psnr_db`` (``jpeg``, ``h264``).
    """
    keys = ('jpeg_1f', 'jpeg_16f', 'h264_16f_mp4', 'h264_16f_packets')
    mean = {k: float(np.mean([r[k] for r in rows])) for k in keys}
    ratios = {
        'jpeg_16f/jpeg_1f': mean['jpeg_16f'] / mean['jpeg_1f'],
        'h264_16f_mp4/jpeg_1f': mean['h264_16f_mp4'] / mean['jpeg_1f'],
        'h264_16f_packets/jpeg_1f':
        mean['h264_16f_packets'] / mean['jpeg_1f'],
        'h264_16f_mp4/jpeg_16f': mean['h264_16f_mp4'] / mean['jpeg_16f'],
    }
    quality = {
        kind: float(np.mean([r[f'{kind}_psnr_db'] for r in rows]))
        for kind in ('jpeg', 'h264')
    }
    return dict(
        segments=len(rows),
        mean_bytes=mean,
        ratios=ratios,
        mean_psnr_db=quality)


def measure_bandwidth(videos: Sequence[SourceVideo],
                      resolutions: Sequence[Tuple[int, int]],
                      jpeg_quality: int = 95,
                      crf: int = 23,
                      preset: str = 'medium',
                      fps: int = 25,
                      x264_params: Optional[str] = None
                      ) -> List[Dict[str, object]]:
    """Segment sizes per source and resolution, plus all photos together.

    Args:
        videos (Sequence[SourceVideo]): Encoded source videos.
        resolutions (Sequence[tuple[int, int]]): (width, height) pairs.
        jpeg_quality (int): JPEG quality.
        crf (int): x264 CRF.
        preset (str): x264 preset.
        fps (int): Frame rate of the mp4s.
        x264_params (str, optional): Extra ``x264-params``.

    Returns:
        list[dict]: One row per (source, resolution): ``source``,
        ``synthetic``, ``resolution``, ``videos`` and the keys of
        :func:`summarize_sizes`; rows of source ``'photos (all)'`` pool
        every photo.
    """
    per_key = OrderedDict()
    for video in videos:
        frames = decode_video(video.path)
        for width, height in resolutions:
            key = (video.source, video.synthetic, width, height)
            entry = per_key.setdefault(key, dict(videos=0, rows=[]))
            entry['videos'] += 1
            for seg in split_segments(resize_frames(frames, width, height)):
                entry['rows'].append(
                    segment_sizes(seg, jpeg_quality, crf, preset, fps,
                                  x264_params))
    photo_keys = [k for k in per_key if not k[1]]
    pooled = OrderedDict()
    for source, _, width, height in photo_keys:
        entry = pooled.setdefault(('photos (all)', False, width, height),
                                  dict(videos=0, rows=[]))
        entry['videos'] += per_key[(source, False, width, height)]['videos']
        entry['rows'] += per_key[(source, False, width, height)]['rows']
    if len({k[0] for k in photo_keys}) > 1:
        per_key.update(pooled)
    results = []
    for (source, synthetic, width, height), entry in per_key.items():
        if not entry['rows']:
            raise ValueError(f'{source}: videos shorter than {SEGMENT_LEN} '
                             'frames give no segment')
        results.append(
            dict(
                source=source,
                synthetic=synthetic,
                resolution=f'{width}x{height}',
                videos=entry['videos'],
                **summarize_sizes(entry['rows'])))
    return results


def run_bandwidth(args: argparse.Namespace, log=print) -> Dict[str, object]:
    """Writes the source videos to a temporary folder and measures them.

    Args:
        args (argparse.Namespace): Parsed command-line arguments.
        log (callable): Progress printer.

    Returns:
        dict: ``settings``, ``notes`` and ``results`` (see
        :func:`measure_bandwidth`).
    """
    src_w, src_h = parse_resolution(args.source_resolution)
    resolutions = [parse_resolution(r) for r in args.resolutions]
    photos = [s for s in args.sources if s in PHOTOS]
    with tempfile.TemporaryDirectory() as tmp:
        videos = []
        if 'synthetic' in args.sources:
            log('writing synthetic source videos ...')
            videos += make_synthetic_sources(
                osp.join(tmp, 'synthetic'), args.synthetic_videos,
                args.frames_per_video, src_w, src_h, args.seed)
        if photos:
            log('writing pan/zoom source videos over photos ...')
            videos += make_photo_sources(
                osp.join(tmp, 'photos'), photos, args.clips_per_photo,
                args.frames_per_video, src_w, src_h, args.seed,
                args.natural_noise_std)
        source_bytes = {}
        for v in videos:
            source_bytes.setdefault(v.source, []).append(osp.getsize(v.path))
        log('measuring segment sizes ...')
        results = measure_bandwidth(videos, resolutions, args.jpeg_quality,
                                    args.crf, args.preset, args.fps,
                                    args.x264_params)
    import av
    import cv2
    settings = dict(
        source_codec='MPEG-4 Part 2 (mp4v) via cv2.VideoWriter '
        '(tools/data/make_synthetic_videos.write_video), decoded by PyAV',
        source_resolution=f'{src_w}x{src_h}',
        source_mean_file_bytes={
            k: float(np.mean(v))
            for k, v in source_bytes.items()
        },
        frames_per_video=args.frames_per_video,
        segment_frames=SEGMENT_LEN,
        segments='non-overlapping, from frame 0; jpeg_1f is the first frame '
        'of the segment',
        resize='cv2.resize INTER_AREA from the decoded source frames',
        jpeg='cv2.imencode .jpg, 4:2:0 (OpenCV default)',
        jpeg_quality=args.jpeg_quality,
        h264=f'libx264 via PyAV, crf {args.crf}, preset {args.preset}, '
        'yuv420p, 1 thread, mp4 container in memory; h264_16f_mp4 = bytes of '
        'an mp4 file holding just the 16 frames, h264_16f_packets = summed '
        'H.264 packet sizes (no container, no SPS/PPS)',
        crf=args.crf,
        preset=args.preset,
        x264_params=args.x264_params,
        fps=args.fps,
        natural_noise_std=args.natural_noise_std,
        seed=args.seed,
        av_version=av.__version__,
        cv2_version=cv2.__version__)
    return dict(
        settings=settings, notes=[SOURCE_NOTE, H264_NOTE], results=results)


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def device_name(device: str) -> str:
    """A readable name of the CPU model or the CUDA device.

    Args:
        device (str): ``'cpu'`` or ``'cuda[:i]'``.

    Returns:
        str: The name.
    """
    if device.startswith('cuda'):
        return torch.cuda.get_device_name(torch.device(device))
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _load_average() -> Optional[List[float]]:
    """The 1, 5 and 15 minute load averages (None where unknown)."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def run_metadata(argv: Sequence[str], args: argparse.Namespace,
                 threads: int) -> Dict[str, object]:
    """Command line, versions, device, threads and date of this run.

    Args:
        argv (Sequence[str]): The arguments (without the program).
        args (argparse.Namespace): Parsed arguments.
        threads (int): ``torch.get_num_threads()`` of the measurements.

    Returns:
        dict: The metadata.
    """
    import torchvision
    command = shlex.join([sys.executable, osp.relpath(__file__)] +
                         list(argv))
    return dict(
        command=command,
        argv=list(argv),
        cwd=os.getcwd(),
        date=datetime.datetime.now().astimezone().isoformat(
            timespec='seconds'),
        torch_version=torch.__version__,
        torchvision_version=torchvision.__version__,
        cuda_version=torch.version.cuda,
        python_version=platform.python_version(),
        platform=platform.platform(),
        device=args.device,
        device_name=device_name(args.device),
        cpu_count=os.cpu_count(),
        threads=threads,
        threads_requested=args.threads,
        interop_threads=torch.get_num_interop_threads(),
        omp_num_threads_env=os.environ.get('OMP_NUM_THREADS'),
        load_average_at_start=_load_average(),
        tiny=args.tiny,
        isolated_processes=not args.no_isolate)


def format_model_table(results: Dict[str, Dict]) -> str:
    """The compute table as text.

    Args:
        results (dict): Name -> result with ``ratio_to_teacher``.

    Returns:
        str: The table.
    """
    head = (f'{"model":<28} {"input":<18} {"params(M)":>9} {"GFLOPs":>8} '
            f'{"median ms":>10} {"p90 ms":>9} {"mem+ MiB":>9} '
            f'{"lat/teacher":>11} {"FLOPs/teacher":>13}')
    lines = [head, '-' * len(head)]
    for name, r in results.items():
        ratio = r.get('ratio_to_teacher')
        lat_r = f'{ratio["latency_median"]:.3f}' if ratio else '-'
        flop_r = f'{ratio["flops"]:.3f}' if ratio else '-'
        shape = 'x'.join(str(s) for s in r['input_shape'])
        lines.append(
            f'{name:<28} {shape:<18} {r["params"] / 1e6:>9.2f} '
            f'{r["gflops"]:>8.2f} {r["latency"]["median_ms"]:>10.2f} '
            f'{r["latency"]["p90_ms"]:>9.2f} '
            f'{r["memory"]["increase_mib"]:>9.1f} {lat_r:>11} {flop_r:>13}')
    return '\n'.join(lines)


def format_bandwidth_table(results: Sequence[Dict]) -> str:
    """The bandwidth table as text.

    Args:
        results (Sequence[dict]): Rows of :func:`measure_bandwidth`.

    Returns:
        str: The table.
    """
    head = (f'{"source":<14} {"synthetic":<9} {"res":<8} {"segs":>4} '
            f'{"1 JPEG B":>9} {"16 JPEG B":>10} {"H264 mp4 B":>10} '
            f'{"H264 pkt B":>10} {"16J/1J":>7} {"H264/1J":>8} '
            f'{"PSNR J/H dB":>11}')
    lines = [head, '-' * len(head)]
    for r in results:
        m, q = r['mean_bytes'], r['ratios']
        lines.append(
            f'{r["source"]:<14} {"yes" if r["synthetic"] else "no":<9} '
            f'{r["resolution"]:<8} {r["segments"]:>4} '
            f'{m["jpeg_1f"]:>9.0f} {m["jpeg_16f"]:>10.0f} '
            f'{m["h264_16f_mp4"]:>10.0f} {m["h264_16f_packets"]:>10.0f} '
            f'{q["jpeg_16f/jpeg_1f"]:>7.2f} '
            f'{q["h264_16f_mp4/jpeg_1f"]:>8.2f} '
            f'{r["mean_psnr_db"]["jpeg"]:>5.1f}/'
            f'{r["mean_psnr_db"]["h264"]:<5.1f}')
    return '\n'.join(lines)


def write_json(report: Dict, path: str) -> None:
    """Writes the report as indented JSON, creating parent folders.

    Args:
        report (dict): The report.
        path (str): Output file.
    """
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(report, f, indent=2)
        f.write('\n')


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parses command-line arguments.

    Args:
        argv (Sequence[str], optional): Arguments; None uses ``sys.argv``.

    Returns:
        argparse.Namespace: Parsed arguments.
    """
    parser = argparse.ArgumentParser(
        description='Per-sample cost of HalluciNet students vs the 3D '
        'teacher, and bytes of 1 frame vs 16 frames.')
    parser.add_argument('--out', default=DEFAULT_OUT, help='JSON file')
    models = parser.add_argument_group('compute')
    models.add_argument(
        '--models',
        nargs='+',
        default=['all'],
        help="models to measure, or 'all' (default); see --list-models. "
        'Ratios need the teacher, ' + TEACHER)
    models.add_argument('--list-models', action='store_true')
    models.add_argument('--skip-models', action='store_true')
    models.add_argument(
        '--device',
        choices=['cpu', 'cuda'],
        default='cuda' if torch.cuda.is_available() else 'cpu')
    models.add_argument('--threads', type=int, help='torch.set_num_threads')
    models.add_argument('--repeats', type=int, default=30)
    models.add_argument('--warmup', type=int, default=5)
    models.add_argument('--channels-last', action='store_true')
    models.add_argument('--amp', action='store_true', help='CUDA autocast')
    models.add_argument(
        '--amp-dtype', choices=['float16', 'bfloat16'], default='float16')
    models.add_argument(
        '--no-isolate',
        action='store_true',
        help='measure every model in this process (faster; CPU peak memory '
        'is then not per model)')
    models.add_argument(
        '--tiny',
        action='store_true',
        help='tests only: depth-50 teacher on 4x32x32, students on 32x32')
    bw = parser.add_argument_group('bandwidth')
    bw.add_argument('--skip-bandwidth', action='store_true')
    bw.add_argument(
        '--sources', nargs='+', default=list(SOURCES), choices=SOURCES)
    bw.add_argument(
        '--resolutions',
        nargs='+',
        default=['320x240', '172x128'],
        help='WxH, even (171x128 -> 172x128)')
    bw.add_argument('--source-resolution', default='320x240')
    bw.add_argument('--frames-per-video', type=int, default=48)
    bw.add_argument('--synthetic-videos', type=int, default=6)
    bw.add_argument('--clips-per-photo', type=int, default=2)
    bw.add_argument('--natural-noise-std', type=float, default=0.0)
    bw.add_argument('--jpeg-quality', type=int, default=95)
    bw.add_argument('--crf', type=int, default=23)
    bw.add_argument('--preset', default='medium')
    bw.add_argument(
        '--x264-params',
        help="extra libx264 options, e.g. 'bframes=0' (see H264_NOTE)")
    bw.add_argument('--fps', type=int, default=25)
    bw.add_argument('--seed', type=int, default=0)
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--worker-out', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is None:
        _check_args(parser, args)
    return args


def run_models(args: argparse.Namespace) -> Dict[str, object]:
    """Measures the models that ``args`` selects.

    Args:
        args (argparse.Namespace): Parsed command-line arguments.

    Returns:
        dict: ``settings``, ``notes`` and ``results`` (see
        :func:`measure_models`).
    """
    results = measure_models(
        args.models,
        isolate=not args.no_isolate,
        device=args.device,
        repeats=args.repeats,
        warmup=args.warmup,
        threads=args.threads,
        channels_last=args.channels_last,
        amp=args.amp,
        amp_dtype=args.amp_dtype,
        tiny=args.tiny,
        seed=args.seed)
    cuda = args.device == 'cuda'
    settings = dict(
        batch_size=1,
        repeats=args.repeats,
        warmup=args.warmup,
        channels_last=args.channels_last,
        amp=args.amp,
        amp_dtype=args.amp_dtype if args.amp else None,
        cudnn_benchmark=cuda,
        timer='CUDA events' if cuda else 'time.perf_counter',
        grad_mode='torch.inference_mode',
        weights='random (cost does not depend on them)')
    notes = [FLOPS_NOTE, CUDA_MEMORY_NOTE if cuda else CPU_MEMORY_NOTE]
    if args.tiny:
        notes.append('--tiny: test-sized models and inputs, not real costs')
    return dict(settings=settings, notes=notes, results=results)


def _check_args(parser: argparse.ArgumentParser,
                args: argparse.Namespace) -> None:
    """Rejects inconsistent arguments with ``parser.error``."""
    if args.models == ['all']:
        args.models = list(MODEL_SPECS)
    unknown = [m for m in args.models if m not in MODEL_SPECS]
    if unknown:
        parser.error(f'unknown models {unknown}; choose from '
                     f'{list(MODEL_SPECS)}')
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda, but CUDA is not available')
    if args.amp and args.device != 'cuda':
        parser.error('--amp needs --device cuda')
    if args.repeats < 1 or args.warmup < 0:
        parser.error('--repeats must be >= 1 and --warmup >= 0')
    if args.frames_per_video < SEGMENT_LEN:
        parser.error(f'--frames-per-video must be >= {SEGMENT_LEN}')
    for res in args.resolutions + [args.source_resolution]:
        try:
            parse_resolution(res)
        except ValueError as err:
            parser.error(str(err))


def _run_worker(args: argparse.Namespace) -> None:
    """Measures one model (a subprocess of :func:`measure_model_isolated`).
    """
    result = measure_model(**json.loads(args.worker))
    with open(args.worker_out, 'w') as f:
        json.dump(result, f)


def main(argv: Optional[Sequence[str]] = None) -> Optional[Dict]:
    """Command-line entry point: measures, prints the tables, writes JSON.

    Args:
        argv (Sequence[str], optional): Arguments; None uses ``sys.argv``.

    Returns:
        dict | None: The report (None for ``--list-models`` and workers).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.worker is not None:
        _run_worker(args)
        return None
    if args.list_models:
        for name, spec in MODEL_SPECS.items():
            print(f'{name:<28} {spec.role}')
        return None
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    report = dict(meta=run_metadata(argv, args, torch.get_num_threads()))
    if args.tiny:
        print('NOTE: --tiny: test-sized models and inputs, not real costs')
    if not args.skip_models:
        report['models'] = run_models(args)
        print()
        print(format_model_table(report['models']['results']))
        print('\n'.join(report['models']['notes']))
        print(f'device: {report["meta"]["device_name"]}, threads: '
              f'{report["meta"]["threads"]}\n')
    if not args.skip_bandwidth:
        report['bandwidth'] = run_bandwidth(args)
        print()
        print(format_bandwidth_table(report['bandwidth']['results']))
        print('Mean bytes per 16-frame segment; ratios are ratios of the '
              'means. PSNR J/H: mean PSNR of the decoded JPEGs / H.264 '
              'frames against the segment (the codecs are not at equal '
              f'quality).\n{SOURCE_NOTE}\n{H264_NOTE}\n')
    report['meta']['load_average_at_end'] = _load_average()
    write_json(report, args.out)
    print(f'wrote {args.out}')
    return report


if __name__ == '__main__':
    main()
