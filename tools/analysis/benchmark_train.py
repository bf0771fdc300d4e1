# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Training throughput of the three ways to train a HalluciNet student.

Measured side by side in ONE process, on the same samples, batch size and
device:

* ``vanilla``: the 2D student alone (no teacher, no hallucination loss);
* ``online``: HalluciNet with the frozen 3D teacher run every step;
* ``store``: HalluciNet reading phi_t from a teacher-feature store that is
  extracted first with ``tools/extract_teacher_features.py``'s functions
  (the extraction time is reported too: the one-off cost of the store).

What is timed:

1. **Model** (the ``model`` part): one ``model.train_step(batch,
   optim_wrapper)`` exactly as MMEngine's train loop calls it (data
   preprocessor, forward, loss, backward, Adam update) with
   ``OptimWrapper(Adam(lr=1e-4))`` (``AmpOptimWrapper`` with ``--amp``).
   The batches come from each run's real training pipeline, collated with
   ``mmengine.dataset.pseudo_collate``, and are PRE-LOADED in memory
   (``--preload-batches`` distinct batches, cycled), so data loading is NOT
   part of the model timing. On CUDA every timed call is bracketed by
   ``torch.cuda.synchronize()``. The runs are interleaved (one step of each
   per iteration, the order rotated every iteration) so that a change of
   the machine's load hits all of them alike; ``--schedule sequential``
   runs them back to back. The first ``--warmup`` steps of every run are
   excluded. Two more runs on the online batches split the online step:
   the teacher forward alone (``model.teacher_features`` on the
   preprocessed inputs, in the optimiser's autocast context) and the data
   preprocessor alone (stacking, normalisation, host-to-device copy of
   student frames and teacher clips); the rest of the online step is the
   student's forward, backward and update.
2. **Data pipeline** (the ``pipeline`` part): ``dataset[i]`` of each run's
   training pipeline, no model: the single-frame pipelines (sampler
   ``with_teacher=False``: one decoded frame; ``vanilla``, and ``store``,
   which also reads phi_t) versus the 16-frame one (``online``,
   ``with_teacher=True``: the student frame plus the 16-frame teacher clip,
   split by ``SplitStudentTeacher``). Samples are interleaved as above; the
   first ``--warmup`` samples are excluded. With ``--num-workers N`` each
   pipeline is also read through a ``DataLoader`` (``N`` workers,
   ``--batch-size``, back to back, the first batch excluded).

Samples/s are reported from the median step time and overall (all timed
samples over the summed time), with the ratios ``store/vanilla`` (target
>= 0.8), ``store/online`` (target >= 5) and ``online/vanilla``, each with a
PASS/MISS column computed from the reported numbers.

Settings (``--setting``):

* ``synthetic`` (default; runs anywhere): the ``configs/synthetic`` ResNet-18
  student at 32x32 and the tiny 3D ResNet-18 teacher at 16x32x32, on
  synthetic 32x32 videos written into the work dir;
* ``paper``: the VGG11-bn student at 224x224 and the 3D-ResNeXt-101 teacher
  at 16x112x112 of ``configs/hallucinet_vgg11_ucf.py``
  (``configs/ucf101/vanilla_vgg11_ucf101.py`` for vanilla) with
  ``weights=None`` and a randomly initialised teacher (the cost is that of
  trained weights), on synthetic 320x240 videos, so that the pipelines
  resize and crop as on UCF-101. Slow on a CPU: use e.g. ``--iters 3``.

Every run uses the centre frame (``SingleFrameSampler(mode='centre')``): the
store needs the anchors it was extracted with, and a random anchor costs
the same. Without ``--teacher-checkpoint`` a random teacher checkpoint is
saved in the work dir (the store records its sha256; about 190 MB for the
paper teacher) and used by both the online run and the extraction.

Examples:
    python tools/analysis/benchmark_train.py
    python tools/analysis/benchmark_train.py --setting paper --iters 3 \\
        --warmup 1 --batch-size 8
    python tools/analysis/benchmark_train.py --setting paper --device cuda \\
        --amp --channels-last --num-workers 8
"""
import argparse
import contextlib
import copy
import datetime
import json
import logging
import math
import os
import os.path as osp
import platform
import shlex
import shutil
import statistics
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from mmengine.registry import init_default_scope

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if ROOT not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, ROOT)

import hallucinet_mm  # noqa: E402  (registers, applies compat)
from hallucinet_mm.datasets.transforms import \
    SplitStudentTeacher  # noqa: E402
from hallucinet_mm.store import (  # noqa: E402
    LoadTeacherFeatures, check_dataset_stores, extract_teacher_features)
from hallucinet_mm.store.spec import dataset_cfg  # noqa: E402
from hallucinet_mm.datasets.transforms.frame_samplers import (  # noqa: E402
    BaseStudentTeacherSampler, SingleFrameSampler)
from mmaction.registry import DATASETS, MODELS, TRANSFORMS  # noqa: E402
from tools.data.make_synthetic_videos import \
    make_synthetic_dataset  # noqa: E402

#: The three training runs, in report order.
RUNS = ('vanilla', 'online', 'store')
#: Runs that split the online step (on the online batches).
TEACHER_RUN = 'online_teacher_forward'
PREPROCESS_RUN = 'online_preprocess'
#: Ratio -> the project's target (None: no target).
TARGETS = {'store/vanilla': 0.8, 'store/online': 5.0, 'online/vanilla': None}
#: Where the default report goes.
DEFAULT_OUT = 'work_dirs/benchmarks/train.json'

SETTINGS = {
    'synthetic':
    dict(
        vanilla='configs/synthetic/vanilla_r18_synthetic.py',
        online='configs/synthetic/hallucinet_r18_synthetic.py',
        store='configs/synthetic/hallucinet_r18_synthetic_store.py',
        height=32,
        width=32,
        description='ResNet-18 student at 32x32, tiny 3D ResNet-18 teacher '
        'at 16x32x32, synthetic 32x32 videos'),
    'paper':
    dict(
        vanilla='configs/ucf101/vanilla_vgg11_ucf101.py',
        online='configs/hallucinet_vgg11_ucf.py',
        store=None,  # derived from the online config (derive_store_cfg)
        height=240,
        width=320,
        description='VGG11-bn student at 224x224 (weights=None), '
        '3D-ResNeXt-101 teacher at 16x112x112 (random init), synthetic '
        '320x240 videos'),
}


# ----------------------------------------------------------------------
# command line
# ----------------------------------------------------------------------
def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parses the command line.

    Args:
        argv (Sequence[str], optional): Arguments; None uses ``sys.argv``.

    Returns:
        argparse.Namespace: The arguments.
    """
    parser = argparse.ArgumentParser(
        description='Training samples/s of the vanilla 2D student, '
        'HalluciNet with the online teacher and HalluciNet from a '
        'teacher-feature store, side by side; and of their data pipelines.')
    parser.add_argument(
        '--setting', choices=sorted(SETTINGS), default='synthetic')
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument(
        '--warmup', type=int, default=3,
        help='untimed steps per run (and untimed pipeline samples)')
    parser.add_argument(
        '--iters', type=int, default=20, help='timed steps per run')
    parser.add_argument('--device', choices=['cpu', 'cuda'], default='cpu')
    parser.add_argument(
        '--amp', action='store_true',
        help='float16 autocast (AmpOptimWrapper); CUDA only')
    parser.add_argument(
        '--channels-last', action='store_true',
        help='channels_last student, channels_last_3d teacher (for CUDA)')
    parser.add_argument(
        '--threads', type=int, help='torch.set_num_threads (default: '
        "torch's)")
    parser.add_argument(
        '--schedule', choices=['interleaved', 'sequential'],
        default='interleaved',
        help='one step of each run per iteration, or each run back to back')
    parser.add_argument(
        '--preload-batches', type=int, default=2,
        help='distinct batches pre-loaded per run, cycled over the steps')
    parser.add_argument(
        '--num-samples', type=int,
        help='samples (videos) used; default batch size x preload batches')
    parser.add_argument(
        '--pipeline-samples', type=int,
        help='timed dataset[i] calls per pipeline; default 2 x batch size')
    parser.add_argument(
        '--num-workers', type=int,
        help='also time a DataLoader with this many workers per pipeline')
    parser.add_argument(
        '--num-frames', type=int, default=40, help='frames per video')
    parser.add_argument(
        '--data-root', help='an existing make_synthetic_videos dataset '
        '(default: generate one in the work dir)')
    parser.add_argument(
        '--teacher-checkpoint', help='teacher weights (default: a random '
        'teacher saved in the work dir)')
    parser.add_argument(
        '--work-dir', help='videos, teacher checkpoint and store; default '
        'work_dirs/benchmarks/train_<setting>')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', default=DEFAULT_OUT, help='the JSON report')
    return parser.parse_args(argv)


def check_args(args: argparse.Namespace) -> None:
    """Refuses inconsistent arguments.

    Args:
        args (argparse.Namespace): The parsed arguments.

    Raises:
        ValueError: Naming the argument.
    """
    for name in ('batch_size', 'iters', 'preload_batches'):
        if getattr(args, name) < 1:
            raise ValueError(f'--{name.replace("_", "-")} must be >= 1')
    if args.warmup < 0:
        raise ValueError('--warmup must be >= 0')
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise ValueError('--device cuda but CUDA is not available')
    if args.amp and args.device != 'cuda':
        raise ValueError('--amp needs --device cuda')
    if args.num_samples is not None and args.num_samples < 1:
        raise ValueError('--num-samples must be >= 1')


def command_line(argv: Optional[Sequence[str]]) -> str:
    """The command line that ran this benchmark, shell-quoted."""
    args = sys.argv[1:] if argv is None else list(argv)
    return ' '.join(
        shlex.quote(a)
        for a in ['python', 'tools/analysis/benchmark_train.py'] + args)


# ----------------------------------------------------------------------
# data, teacher checkpoint and configs
# ----------------------------------------------------------------------
def make_videos(setting: str, out_dir: str, num_samples: int,
                num_frames: int, seed: int) -> Dict:
    """Writes the synthetic videos of a setting (6 classes, train split).

    Args:
        setting (str): A key of :data:`SETTINGS` (gives the frame size).
        out_dir (str): The dataset root.
        num_samples (int): Training videos needed (rounded up to whole
            classes).
        num_frames (int): Frames per video.
        seed (int): The data seed.

    Returns:
        dict: ``make_synthetic_dataset``'s result.
    """
    spec = SETTINGS[setting]
    return make_synthetic_dataset(
        out_dir,
        num_classes=6,
        videos_per_class_train=math.ceil(num_samples / 6),
        videos_per_class_val=1,
        num_frames=num_frames,
        height=spec['height'],
        width=spec['width'],
        seed=seed)


def existing_videos(root: str) -> Dict:
    """The paths of an existing ``make_synthetic_videos`` dataset."""
    root = osp.abspath(root)
    info = dict(
        root=root,
        video_dir=osp.join(root, 'videos'),
        train_ann=osp.join(root, 'train.txt'))
    if not osp.isfile(info['train_ann']):
        raise FileNotFoundError(f'{info["train_ann"]} does not exist')
    with open(info['train_ann']) as f:
        info['num_train'] = sum(1 for line in f if line.strip())
    return info


def random_teacher_checkpoint(teacher_cfg: Dict, path: str,
                              seed: int) -> str:
    """Saves a randomly initialised teacher once (reused when present).

    Args:
        teacher_cfg (dict): The ``FrozenTeacherWrapper`` config.
        path (str): Where to save the checkpoint.
        seed (int): The initialisation seed.

    Returns:
        str: ``path``.
    """
    if osp.isfile(path):
        return path
    init_default_scope('mmaction')
    torch.manual_seed(seed)
    cfg = dict(copy.deepcopy(teacher_cfg))
    cfg.update(checkpoint=None, allow_random_init=True)
    teacher = MODELS.build(cfg)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    torch.save({'state_dict': teacher.model.state_dict()}, tmp)
    os.replace(tmp, path)
    return path


def _is_transform(transform, base: type) -> bool:
    cls = TRANSFORMS.get(transform['type']) if isinstance(
        transform.get('type'), str) else transform.get('type')
    return isinstance(cls, type) and issubclass(cls, base)


def data_options(videos: Dict, num_samples: int) -> Dict:
    """``--cfg-options`` that point the train split at the videos."""
    return {
        'train_dataloader.dataset.ann_file': videos['train_ann'],
        'train_dataloader.dataset.data_prefix.video': videos['video_dir'],
        'train_dataloader.dataset.indices': num_samples,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
    }


def use_centre_frame(cfg: Config) -> None:
    """Makes the train split's single-frame sampler take the centre frame.

    The store holds phi_t of the centre anchor; the vanilla and online runs
    use it too, so all three see the same frames (a random anchor costs the
    same).
    """
    for t in dataset_cfg(cfg, 'train')['pipeline']:
        if _is_transform(t, SingleFrameSampler):
            t['mode'] = 'centre'


def derive_store_cfg(online: Config, store_dir: str) -> Config:
    """A train-from-store config made from an online HalluciNet config.

    As ``configs/synthetic/hallucinet_r18_synthetic_store.py`` does for the
    synthetic config: ``model.teacher=None`` (the teacher moves to
    ``store_teacher``), a ``teacher_feats`` preprocessor, the sampler with
    ``with_teacher=False, test_mode=True``, no flip,
    ``LoadTeacherFeatures`` after ``SplitStudentTeacher`` and
    ``teacher_feats`` packed instead of ``teacher_imgs``.

    Args:
        online (Config): The online config (not modified).
        store_dir (str): The store directory.

    Returns:
        Config: The store config.
    """
    cfg = copy.deepcopy(online)
    cfg.store_teacher = copy.deepcopy(cfg.model.teacher)
    cfg.model.teacher = None
    cfg.model.data_preprocessor.preprocessors.teacher_feats = dict(
        type='ActionDataPreprocessor')
    ds = dataset_cfg(cfg, 'train')
    pipeline = []
    for t in ds['pipeline']:
        t = copy.deepcopy(dict(t))
        if _is_transform(t, BaseStudentTeacherSampler):
            t.update(with_teacher=False, test_mode=True)
        elif t['type'] == 'PackActionInputs':
            t['collect_keys'] = ('imgs', 'teacher_feats')
        pipeline.append(t)
        if _is_transform(t, SplitStudentTeacher):
            t['flip_ratio'] = 0.0
            pipeline.append(
                dict(type='LoadTeacherFeatures', store_dir=store_dir))
    ds['pipeline'] = pipeline
    return cfg


def set_store_dir(cfg: Config, store_dir: str) -> None:
    """Points the train pipeline's ``LoadTeacherFeatures`` at a store."""
    found = [
        t for t in dataset_cfg(cfg, 'train')['pipeline']
        if _is_transform(t, LoadTeacherFeatures)
    ]
    if len(found) != 1:
        raise ValueError('the store config needs one LoadTeacherFeatures in '
                         f'its train pipeline, found {len(found)}')
    found[0]['store_dir'] = store_dir


def build_cfgs(setting: str, videos: Dict, num_samples: int, ckpt: str,
               store_dir: str) -> Dict[str, Config]:
    """The configs of the three runs, on the same videos and samples.

    Args:
        setting (str): A key of :data:`SETTINGS`.
        videos (dict): The dataset paths (``train_ann``, ``video_dir``).
        num_samples (int): The first ``num_samples`` training videos.
        ckpt (str): The teacher checkpoint (online run and store).
        store_dir (str): The store directory.

    Returns:
        dict[str, Config]: ``vanilla``, ``online`` and ``store``.
    """
    init_default_scope('mmaction')
    spec = SETTINGS[setting]
    opts = data_options(videos, num_samples)
    cfgs = {}
    for run in ('vanilla', 'online'):
        cfg = Config.fromfile(osp.join(ROOT, spec[run]))
        cfg.merge_from_dict(opts)
        if setting == 'paper':
            cfg.merge_from_dict({'model.backbone.weights': None})
        use_centre_frame(cfg)
        cfgs[run] = cfg
    cfgs['online'].merge_from_dict({'model.teacher.checkpoint': ckpt})
    if spec['store'] is None:
        cfgs['store'] = derive_store_cfg(cfgs['online'], store_dir)
    else:
        cfg = Config.fromfile(osp.join(ROOT, spec['store']))
        cfg.merge_from_dict(dict(opts, **{'store_teacher.checkpoint': ckpt}))
        set_store_dir(cfg, store_dir)
        cfgs['store'] = cfg
    return cfgs


def extract_store(cfg: Config, store_dir: str, batch_size: int,
                  device: str) -> Dict:
    """Extracts a fresh store (any old one is deleted) and times it.

    Args:
        cfg (Config): The store config.
        store_dir (str): The store directory.
        batch_size (int): Clips per teacher forward.
        device (str): The teacher's device.

    Returns:
        dict: ``dir``, ``extraction_s``, ``num_samples``, ``steps`` and
        ``feat_dim``.
    """
    if osp.isdir(store_dir):
        shutil.rmtree(store_dir)
    start = time.perf_counter()
    manifest = extract_teacher_features(
        cfg,
        store_dir,
        split='train',
        batch_size=batch_size,
        num_workers=0,
        device=device,
        progress=False)
    return dict(
        dir=store_dir,
        extraction_s=time.perf_counter() - start,
        num_samples=manifest['num_samples'],
        steps=manifest['steps'],
        feat_dim=manifest['feat_dim'])


# ----------------------------------------------------------------------
# datasets and batches
# ----------------------------------------------------------------------
def build_dataset(cfg: Config, check_store: bool = False):
    """The train split's dataset; optionally checks its feature store.

    Args:
        cfg (Config): The config.
        check_store (bool): Compare the store's manifest with the config, as
            ``CheckTeacherFeatureStoreHook`` does before training.

    Returns:
        The dataset.
    """
    init_default_scope('mmaction')
    dataset = DATASETS.build(copy.deepcopy(cfg.train_dataloader.dataset))
    dataset.full_init()
    if check_store and not check_dataset_stores(cfg, 'train', dataset):
        raise RuntimeError('the store run has no LoadTeacherFeatures')
    return dataset


def batch_indices(num_samples: int, batch_size: int,
                  num_batches: int) -> List[List[int]]:
    """Consecutive, wrapping dataset indices of ``num_batches`` batches."""
    return [[(b * batch_size + j) % num_samples for j in range(batch_size)]
            for b in range(num_batches)]


def load_batches(dataset, indices: List[List[int]]) -> List[Dict]:
    """Runs the pipeline and collates each batch with ``pseudo_collate``."""
    return [pseudo_collate([dataset[i] for i in batch]) for batch in indices]


def decoded_frames(dataset, index: int) -> int:
    """Frames a pipeline decodes for a sample (the sampler's frame_inds)."""
    results = dataset.get_data_info(index)
    for transform in dataset.pipeline.transforms:
        results = transform(results)
        if 'frame_inds' in results:
            return int(len(results['frame_inds']))
    raise RuntimeError('the pipeline sets no frame_inds')


def input_shapes(batch: Dict) -> Dict[str, List[int]]:
    """The per-sample shape of each input of a collated batch."""
    return {
        key: list(value[0].shape)
        for key, value in batch['inputs'].items()
    }


# ----------------------------------------------------------------------
# models
# ----------------------------------------------------------------------
def convert_memory_format(module: torch.nn.Module,
                          memory_format: torch.memory_format,
                          rank: int) -> None:
    """Converts the module's rank-``rank`` parameters and buffers in place."""
    for tensor in list(module.parameters()) + list(module.buffers()):
        if tensor.dim() == rank:
            tensor.data = tensor.data.contiguous(memory_format=memory_format)


def to_channels_last(model: torch.nn.Module) -> None:
    """Student to ``channels_last``; the teacher to ``channels_last_3d``.

    The teacher is outside the module tree, so ``model``'s parameters are
    the student's; the teacher's 5-D weights are converted separately and
    its inputs by ``FrozenTeacherWrapper(channels_last=True)``.
    """
    convert_memory_format(model, torch.channels_last, 4)
    teacher = getattr(model, 'teacher', None)
    if teacher is not None:
        convert_memory_format(teacher, torch.channels_last_3d, 5)
        teacher.channels_last = True


@contextlib.contextmanager
def quiet_logger():
    """Hides MMEngine's INFO messages (e.g. the weight-init report)."""
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def build_model(cfg: Config, device: str, channels_last: bool,
                seed: int) -> torch.nn.Module:
    """Builds, initialises and moves a model to ``device`` in train mode.

    Args:
        cfg (Config): The config.
        device (str): ``'cpu'`` or ``'cuda'``.
        channels_last (bool): See :func:`to_channels_last`.
        seed (int): The initialisation seed.

    Returns:
        torch.nn.Module: The model.
    """
    init_default_scope('mmaction')
    torch.manual_seed(seed)
    model = MODELS.build(copy.deepcopy(cfg.model))
    with quiet_logger():
        model.init_weights()
    model.to(device)
    if channels_last:
        to_channels_last(model)
    return model.train()


def build_optim_wrapper(model: torch.nn.Module, amp: bool) -> OptimWrapper:
    """``OptimWrapper(Adam(lr=1e-4))``; ``AmpOptimWrapper`` with ``amp``."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    if amp:
        return AmpOptimWrapper(optimizer=optimizer)
    return OptimWrapper(optimizer)


# ----------------------------------------------------------------------
# timing
# ----------------------------------------------------------------------
def synchronize(device: str) -> None:
    """Waits for the device's queued work (CUDA); a no-op on CPU."""
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize()


class TimedRun:
    """One timed call per iteration on a cycle of pre-loaded batches.

    Args:
        name (str): The run's name.
        batches (list[dict]): Collated batches, cycled.
        call (Callable): Timed; takes what ``prepare`` returns.
        prepare (Callable, optional): Untimed; takes a batch. Defaults to
            passing the batch itself.
    """

    def __init__(self,
                 name: str,
                 batches: List[Dict],
                 call: Callable,
                 prepare: Optional[Callable] = None) -> None:
        self.name = name
        self.batches = batches
        self.call = call
        self.prepare = prepare

    def step(self, iteration: int, device: str) -> float:
        """Runs the call on batch ``iteration`` (cycled); returns seconds."""
        batch = self.batches[iteration % len(self.batches)]
        arg = self.prepare(batch) if self.prepare is not None else batch
        synchronize(device)
        start = time.perf_counter()
        self.call(arg)
        synchronize(device)
        return time.perf_counter() - start


def train_step_run(name: str, model, optim_wrapper,
                   batches: List[Dict]) -> TimedRun:
    """Times ``model.train_step(batch, optim_wrapper)``."""
    return TimedRun(name, batches,
                    lambda batch: model.train_step(batch, optim_wrapper))


def teacher_forward_run(model, optim_wrapper,
                        batches: List[Dict]) -> TimedRun:
    """Times the teacher forward of the online step alone.

    The batch is preprocessed untimed; ``model.teacher_features`` runs on
    the resulting inputs in the optimiser's context (autocast with AMP), as
    inside ``train_step``.
    """

    def prepare(batch):
        with torch.no_grad():
            return model.data_preprocessor(batch, True)['inputs']

    def call(inputs):
        with optim_wrapper.optim_context(model):
            model.teacher_features(inputs)

    return TimedRun(TEACHER_RUN, batches, call, prepare)


def preprocess_run(model, optim_wrapper, batches: List[Dict]) -> TimedRun:
    """Times the online step's data preprocessor alone."""

    def call(batch):
        with torch.no_grad(), optim_wrapper.optim_context(model):
            model.data_preprocessor(batch, True)

    return TimedRun(PREPROCESS_RUN, batches, call)


def run_schedule(runs: List[TimedRun], steps: int, device: str,
                 interleaved: bool) -> Dict[str, List[float]]:
    """Runs ``steps`` timed calls of every run.

    Args:
        runs (list[TimedRun]): The runs.
        steps (int): Calls per run (warm-up included).
        device (str): For synchronisation.
        interleaved (bool): One call of each run per iteration, in an order
            rotated every iteration; else each run back to back.

    Returns:
        dict[str, list[float]]: Seconds per call, in call order, per run.
    """
    times = {run.name: [] for run in runs}
    if interleaved:
        for it in range(steps):
            k = it % len(runs)
            for run in runs[k:] + runs[:k]:
                times[run.name].append(run.step(it, device))
    else:
        for run in runs:
            for it in range(steps):
                times[run.name].append(run.step(it, device))
    return times


def summarize(times: List[float], warmup: int, batch_size: int) -> Dict:
    """Statistics of one run; the first ``warmup`` calls are excluded.

    Args:
        times (list[float]): Seconds per call.
        warmup (int): Untimed leading calls.
        batch_size (int): Samples per call.

    Returns:
        dict: Settings, raw and summary timings, samples/s (from the median
        and overall).
    """
    timed = times[warmup:]
    median = statistics.median(timed)
    return dict(
        batch_size=batch_size,
        warmup=warmup,
        iters=len(timed),
        num_samples=batch_size * len(timed),
        warmup_times_s=times[:warmup],
        times_s=timed,
        median_s=median,
        mean_s=statistics.fmean(timed),
        min_s=min(timed),
        max_s=max(timed),
        samples_per_s_median=batch_size / median,
        samples_per_s_overall=batch_size * len(timed) / sum(timed))


def compute_ratios(runs: Dict[str, Dict]) -> Dict[str, Dict]:
    """The throughput ratios of :data:`TARGETS` from the reported numbers.

    Args:
        runs (dict): ``summarize`` results of ``vanilla``, ``online`` and
            ``store``.

    Returns:
        dict: Per ratio: ``numerator``, ``denominator``, ``target``,
        ``median`` and ``overall`` (ratios of the median-based and overall
        samples/s) and ``pass_median``/``pass_overall`` (None without a
        target).
    """
    ratios = {}
    for name, target in TARGETS.items():
        num, den = name.split('/')
        entry = dict(numerator=num, denominator=den, target=target)
        for basis in ('median', 'overall'):
            key = f'samples_per_s_{basis}'
            value = runs[num][key] / runs[den][key]
            entry[basis] = value
            entry[f'pass_{basis}'] = (None if target is None else
                                      bool(value >= target))
        ratios[name] = entry
    return ratios


def online_breakdown(stats: Dict[str, Dict]) -> Dict:
    """Splits the online step's median time into its parts (seconds).

    Args:
        stats (dict): ``summarize`` results of ``online``,
            :data:`TEACHER_RUN` and :data:`PREPROCESS_RUN`.

    Returns:
        dict: ``step_s``, ``teacher_forward_s``, ``preprocess_s``,
        ``rest_s`` (student forward, backward and update) and the teacher
        forward's fraction of the step.
    """
    step = stats['online']['median_s']
    teacher = stats[TEACHER_RUN]['median_s']
    pre = stats[PREPROCESS_RUN]['median_s']
    return dict(
        basis='median of separately timed calls on the same batches',
        step_s=step,
        teacher_forward_s=teacher,
        preprocess_s=pre,
        rest_s=step - teacher - pre,
        teacher_fraction=teacher / step)


def time_datasets(datasets: Dict[str, object],
                  indices: List[int]) -> Dict[str, List[float]]:
    """Times ``dataset[i]`` of each pipeline, interleaved per sample.

    Args:
        datasets (dict): Name -> dataset.
        indices (list[int]): Dataset indices, warm-up ones first (the
            caller drops their times).

    Returns:
        dict[str, list[float]]: Seconds per sample, per pipeline.
    """
    names = list(datasets)
    times = {name: [] for name in names}
    for k, index in enumerate(indices):
        r = k % len(names)
        for name in names[r:] + names[:r]:
            start = time.perf_counter()
            datasets[name][index]
            times[name].append(time.perf_counter() - start)
    return times


def time_dataloader(dataset, num_samples: int, batch_size: int,
                    num_workers: int, batches: int) -> Dict:
    """Samples/s of a ``DataLoader`` over a pipeline, first batch excluded.

    Args:
        dataset: The dataset.
        num_samples (int): Distinct indices (cycled).
        batch_size (int): Samples per batch.
        num_workers (int): Loader workers.
        batches (int): Timed batches (after the first).

    Returns:
        dict: ``num_workers``, ``batch_size``, ``first_batch_s`` (worker
        start-up included), ``batches``, ``num_samples``, ``time_s`` and
        ``samples_per_s``.
    """
    order = [i % num_samples for i in range(batch_size * (batches + 1))]
    loader = torch.utils.data.DataLoader(
        dataset,
        batch_size=batch_size,
        sampler=order,
        num_workers=num_workers,
        collate_fn=pseudo_collate)
    start = time.perf_counter()
    iterator = iter(loader)
    next(iterator)
    first = time.perf_counter() - start
    count, start = 0, time.perf_counter()
    for batch in iterator:
        count += len(batch['data_samples'])
    elapsed = time.perf_counter() - start
    return dict(
        num_workers=num_workers,
        batch_size=batch_size,
        first_batch_s=first,
        batches=batches,
        num_samples=count,
        time_s=elapsed,
        samples_per_s=count / elapsed)


def summarize_pipeline(times: List[float], warmup: int,
                       frames: int) -> Dict:
    """Statistics of one pipeline's ``dataset[i]`` times."""
    stats = summarize(times, warmup, 1)
    stats.pop('batch_size')
    stats['decoded_frames_per_sample'] = frames
    return stats


# ----------------------------------------------------------------------
# the benchmark
# ----------------------------------------------------------------------
def device_info(device: str) -> Dict:
    """The device's name and the host's CPU."""
    info = dict(
        type=device,
        cpu=platform.processor() or platform.machine(),
        cpu_count=os.cpu_count())
    try:
        with open('/proc/cpuinfo') as f:
            names = [line.split(':', 1)[1].strip() for line in f
                     if line.startswith('model name')]
        if names:
            info['cpu'] = names[0]
    except OSError:
        pass
    if device == 'cuda':
        info['name'] = torch.cuda.get_device_name()
        info['capability'] = list(torch.cuda.get_device_capability())
    else:
        info['name'] = info['cpu']
    return info


def prepare_data(args: argparse.Namespace, work_dir: str,
                 num_samples: int) -> Dict:
    """The videos: ``--data-root`` or generated into the work dir."""
    if args.data_root:
        videos = existing_videos(args.data_root)
    else:
        videos = make_videos(args.setting, osp.join(work_dir, 'videos'),
                             num_samples, args.num_frames, args.seed)
    if videos['num_train'] < num_samples:
        raise ValueError(f'{videos["train_ann"]} lists {videos["num_train"]}'
                         f' videos, {num_samples} are needed')
    return videos


def teacher_checkpoint(args: argparse.Namespace, work_dir: str) -> str:
    """``--teacher-checkpoint`` or a random teacher saved once."""
    if args.teacher_checkpoint:
        return args.teacher_checkpoint
    cfg = Config.fromfile(osp.join(ROOT, SETTINGS[args.setting]['online']))
    path = osp.join(work_dir, f'teacher_random_init_{args.setting}_'
                    f'seed{args.seed}.pth')
    return random_teacher_checkpoint(cfg.model.teacher.to_dict(), path,
                                     args.seed)


def measure_pipelines(args: argparse.Namespace, datasets: Dict,
                      num_samples: int) -> Dict:
    """The data-pipeline part: ``dataset[i]`` (and a DataLoader)."""
    count = args.pipeline_samples or 2 * args.batch_size
    indices = [i % num_samples for i in range(args.warmup + count)]
    times = time_datasets(datasets, indices)
    result = dict(
        method='dataset[i], interleaved per sample, no model',
        dataset={
            name: summarize_pipeline(times[name], args.warmup,
                                     decoded_frames(ds, 0))
            for name, ds in datasets.items()
        },
        dataloader=None)
    if args.num_workers is not None:
        result['dataloader'] = {
            name: time_dataloader(ds, num_samples, args.batch_size,
                                  args.num_workers, args.iters)
            for name, ds in datasets.items()
        }
    return result


def measure_models(args: argparse.Namespace, cfgs: Dict[str, Config],
                   batches: Dict[str, List[Dict]]) -> Dict:
    """The model part: the train steps and the online step's parts."""
    models = {
        run: build_model(cfgs[run], args.device, args.channels_last,
                         args.seed)
        for run in RUNS
    }
    wrappers = {
        run: build_optim_wrapper(model, args.amp)
        for run, model in models.items()
    }
    runs = [
        train_step_run(run, models[run], wrappers[run], batches[run])
        for run in RUNS
    ]
    online = (models['online'], wrappers['online'], batches['online'])
    runs += [teacher_forward_run(*online), preprocess_run(*online)]
    times = run_schedule(runs, args.warmup + args.iters, args.device,
                         args.schedule == 'interleaved')
    stats = {
        name: summarize(t, args.warmup, args.batch_size)
        for name, t in times.items()
    }
    return dict(
        method='model.train_step(batch, optim_wrapper) on pre-loaded '
        'batches (data loading excluded), ' + args.schedule,
        runs={run: stats[run]
              for run in RUNS},
        parts={name: stats[name]
               for name in (TEACHER_RUN, PREPROCESS_RUN)},
        online_breakdown=online_breakdown(stats),
        ratios=compute_ratios(stats))


def run_benchmark(args: argparse.Namespace,
                  argv: Optional[Sequence[str]] = None) -> Dict:
    """Runs the whole benchmark and returns the report.

    Args:
        args (argparse.Namespace): The parsed arguments.
        argv (Sequence[str], optional): The arguments, for the record.

    Returns:
        dict: The report (see :func:`format_report` and the JSON file).
    """
    work_dir = args.work_dir or f'work_dirs/benchmarks/train_{args.setting}'
    num_samples = args.num_samples or (args.batch_size *
                                       args.preload_batches)
    videos = prepare_data(args, work_dir, num_samples)
    ckpt = teacher_checkpoint(args, work_dir)
    store_dir = osp.abspath(osp.join(work_dir, 'store', 'train'))
    cfgs = build_cfgs(args.setting, videos, num_samples, ckpt, store_dir)
    store = extract_store(cfgs['store'], store_dir, args.batch_size,
                          args.device)
    datasets = {
        run: build_dataset(cfgs[run], check_store=run == 'store')
        for run in RUNS
    }
    index_batches = batch_indices(num_samples, args.batch_size,
                                  args.preload_batches)
    batches = {
        run: load_batches(datasets[run], index_batches)
        for run in RUNS
    }
    pipeline = measure_pipelines(args, datasets, num_samples)
    model = measure_models(args, cfgs, batches)
    return dict(
        command=command_line(argv),
        argv=list(sys.argv[1:] if argv is None else argv),
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(),
        device=device_info(args.device),
        torch=torch.__version__,
        cuda=torch.version.cuda,
        python=platform.python_version(),
        hallucinet_mm=hallucinet_mm.__version__,
        threads=torch.get_num_threads(),
        interop_threads=torch.get_num_interop_threads(),
        settings=dict(
            vars(args),
            work_dir=work_dir,
            num_samples=num_samples,
            description=SETTINGS[args.setting]['description'],
            configs={
                run: SETTINGS[args.setting][run] or
                f'derived from {SETTINGS[args.setting]["online"]}'
                for run in RUNS
            },
            teacher_checkpoint=ckpt,
            videos=dict(
                root=videos['root'],
                height=SETTINGS[args.setting]['height'],
                width=SETTINGS[args.setting]['width']),
            batch_indices=index_batches,
            input_shapes={
                run: input_shapes(batches[run][0])
                for run in RUNS
            },
            targets=TARGETS),
        store=store,
        model=model,
        pipeline=pipeline)


# ----------------------------------------------------------------------
# output
# ----------------------------------------------------------------------
def _pass(value: Optional[bool]) -> str:
    return '-' if value is None else ('PASS' if value else 'MISS')


def format_model_table(model: Dict) -> List[str]:
    """The train-step table, the online breakdown and the ratios."""
    lines = [
        f'{"run":<10}{"batch":>6}{"iters":>6}{"median ms":>11}'
        f'{"samples/s (median)":>20}{"samples/s (overall)":>21}'
    ]
    for name, s in model['runs'].items():
        lines.append(f'{name:<10}{s["batch_size"]:>6}{s["iters"]:>6}'
                     f'{1e3 * s["median_s"]:>11.1f}'
                     f'{s["samples_per_s_median"]:>20.2f}'
                     f'{s["samples_per_s_overall"]:>21.2f}')
    b = model['online_breakdown']
    lines += [
        '', 'online step (median ms): '
        f'{1e3 * b["step_s"]:.1f} = teacher forward '
        f'{1e3 * b["teacher_forward_s"]:.1f} '
        f'({100 * b["teacher_fraction"]:.0f}%) + data preprocessor '
        f'{1e3 * b["preprocess_s"]:.1f} + rest (student fwd/bwd/update) '
        f'{1e3 * b["rest_s"]:.1f}', '',
        f'{"ratio":<16}{"median":>8}{"overall":>9}{"target":>8}'
        f'{"median":>8}{"overall":>9}'
    ]
    for name, r in model['ratios'].items():
        target = '-' if r['target'] is None else f'>={r["target"]:g}'
        lines.append(f'{name:<16}{r["median"]:>8.2f}{r["overall"]:>9.2f}'
                     f'{target:>8}{_pass(r["pass_median"]):>8}'
                     f'{_pass(r["pass_overall"]):>9}')
    return lines


def format_pipeline_table(pipeline: Dict) -> List[str]:
    """The data-pipeline table (dataset[i] and, if run, the DataLoader)."""
    lines = [
        f'{"pipeline":<10}{"frames":>7}{"samples":>8}{"median ms":>11}'
        f'{"samples/s (median)":>20}{"samples/s (overall)":>21}'
    ]
    for name, s in pipeline['dataset'].items():
        lines.append(f'{name:<10}{s["decoded_frames_per_sample"]:>7}'
                     f'{s["num_samples"]:>8}{1e3 * s["median_s"]:>11.2f}'
                     f'{s["samples_per_s_median"]:>20.1f}'
                     f'{s["samples_per_s_overall"]:>21.1f}')
    if pipeline['dataloader']:
        lines += ['', f'{"DataLoader":<10}{"workers":>8}{"samples":>8}'
                  f'{"samples/s":>11}{"first batch s":>15}']
        for name, d in pipeline['dataloader'].items():
            lines.append(f'{name:<10}{d["num_workers"]:>8}'
                         f'{d["num_samples"]:>8}{d["samples_per_s"]:>11.1f}'
                         f'{d["first_batch_s"]:>15.2f}')
    return lines


def format_report(report: Dict) -> str:
    """The printed tables.

    Args:
        report (dict): :func:`run_benchmark`'s report.

    Returns:
        str: The text.
    """
    s = report['settings']
    store = report['store']
    head = [
        f'setting {s["setting"]}: {s["description"]}',
        f'device {report["device"]["name"]} ({s["device"]}), torch '
        f'{report["torch"]}, {report["threads"]} threads, amp {s["amp"]}, '
        f'channels_last {s["channels_last"]}', f'input shapes per sample: '
        + '; '.join(f'{run} {shapes}'
                    for run, shapes in s['input_shapes'].items()),
        f'store: {store["num_samples"]} samples x {store["steps"]} x '
        f'{store["feat_dim"]} extracted in {store["extraction_s"]:.1f} s '
        '(one-off)', '',
        'TRAIN STEP (' + report['model']['method'] + f'; warm-up '
        f'{s["warmup"]} steps excluded)'
    ]
    tail = ['', 'DATA PIPELINE (' + report['pipeline']['method'] + ')']
    return '\n'.join(head + format_model_table(report['model']) + tail +
                     format_pipeline_table(report['pipeline']))


def write_json(report: Dict, path: str) -> None:
    """Writes the report as JSON (parent directories are created)."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(report, f, indent=1, default=str)


def main(argv: Optional[Sequence[str]] = None) -> Dict:
    """Command-line entry point: runs, prints and writes the report.

    Args:
        argv (Sequence[str], optional): Arguments; None uses ``sys.argv``.

    Returns:
        dict: The report.
    """
    args = parse_args(argv)
    check_args(args)
    if args.threads:
        torch.set_num_threads(args.threads)
    report = run_benchmark(args, argv)
    print(format_report(report), flush=True)
    write_json(report, args.out)
    print(f'\nwrote {args.out}', flush=True)
    return report


if __name__ == '__main__':
    main()
