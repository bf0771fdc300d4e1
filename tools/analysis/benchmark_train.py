# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Training throughput, side by side in one process on the same samples,
batch and device, of ``vanilla`` (the 2D student alone), ``online``
(HalluciNet, frozen 3D teacher every step) and ``store`` (HalluciNet reading
phi_t from a teacher-feature store extracted first: a one-off cost).

Model: ``model.train_step(batch, optim_wrapper)`` (Adam; ``AmpOptimWrapper``
with ``--amp``) on batches each run's training pipeline made beforehand,
one step of each run per iteration in a rotating order, the first
``--warmup`` excluded; the teacher forward and the data preprocessor of the
online step are also timed alone. Data pipeline: ``dataset[i]``, no model.
Samples/s from the median and overall, with the ratios ``store/vanilla``
(target >= 0.8), ``store/online`` (target >= 5) and ``online/vanilla``.

Settings: ``synthetic`` (ResNet-18 at 32x32, tiny 3D ResNet-18 teacher) and
``paper`` (VGG11-bn at 224, random 3D-ResNeXt-101 at 16x112x112; slow on a
CPU), both on synthetic videos (320x240 for ``paper``, resized and cropped
as on UCF-101), every run on the centre frame (the store's anchor).

Examples::

    python tools/analysis/benchmark_train.py
    python tools/analysis/benchmark_train.py --setting paper --iters 3 \\
        --warmup 1 --batch-size 8
"""
import argparse
import copy
import logging
import math
import os
import os.path as osp
import shutil
import sys
import time
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from mmengine.registry import init_default_scope

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)  # run as a script from anywhere
import hallucinet_mm  # noqa: E402,F401  (registers, applies compat)
from hallucinet_mm.datasets.transforms import SplitStudentTeacher  # noqa
from hallucinet_mm.datasets.transforms.frame_samplers import (  # noqa: E402
    BaseStudentTeacherSampler, SingleFrameSampler)
from hallucinet_mm.store import (check_dataset_stores,  # noqa: E402
                                 extract_teacher_features)
from hallucinet_mm.store.spec import dataset_cfg  # noqa: E402
from mmaction.registry import DATASETS, MODELS, TRANSFORMS  # noqa: E402
from tools.analysis.bench_utils import (finish_report,  # noqa: E402
                                        format_table, run_metadata,
                                        summarize_times, synchronize)

RUNS = ('vanilla', 'online', 'store')
PARTS = ('online_teacher_forward', 'online_preprocess')
#: Ratio -> the project's target (None: no target).
TARGETS = {'store/vanilla': 0.8, 'store/online': 5.0, 'online/vanilla': None}
SETTINGS = {
    'synthetic':
    dict(vanilla='configs/synthetic/vanilla_r18_synthetic.py',
         online='configs/synthetic/hallucinet_r18_synthetic.py',
         height=32, width=32,
         description='ResNet-18 student at 32x32, tiny 3D ResNet-18 teacher'
         ' at 16x32x32, synthetic 32x32 videos'),
    'paper':
    dict(vanilla='configs/ucf101/vanilla_vgg11bn_1xb25-1x1x1-50e_ucf101.py',
         online='configs/hallucinet_vgg11_ucf.py', height=240, width=320,
         description='VGG11-bn student at 224x224 (weights=None), '
         '3D-ResNeXt-101 teacher at 16x112x112 (random init), synthetic '
         '320x240 videos'),
}


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parses and checks the command line (errors name the option)."""
    parser = argparse.ArgumentParser(
        description='Training samples/s of the vanilla student, HalluciNet '
        'with the online teacher and HalluciNet from a feature store.')
    add = parser.add_argument
    add('--setting', choices=sorted(SETTINGS), default='synthetic')
    add('--batch-size', type=int, default=16)
    add('--warmup', type=int, default=3, help='untimed steps per run')
    add('--iters', type=int, default=20, help='timed steps per run')
    add('--device', choices=['cpu', 'cuda'], default='cpu')
    add('--amp', action='store_true', help='AmpOptimWrapper (CUDA only)')
    add('--threads', type=int, help='torch.set_num_threads')
    add('--preload-batches', type=int, default=2)
    add('--num-samples', type=int, help='default batch size x preload')
    add('--pipeline-samples', type=int, help='default 2 x batch size')
    add('--num-frames', type=int, default=40, help='per video')
    add('--teacher-checkpoint', help='default: a random teacher')
    add('--work-dir', help='default work_dirs/benchmarks/train_<setting>')
    add('--seed', type=int, default=0)
    add('--out', default='work_dirs/benchmarks/train.json')
    args = parser.parse_args(argv)
    for name in ('batch_size', 'iters', 'preload_batches', 'num_samples'):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be >= 1')
    if args.warmup < 0:
        parser.error('--warmup must be >= 0')
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda, but CUDA is not available')
    if args.amp and args.device != 'cuda':
        parser.error('--amp needs --device cuda')
    return args


def random_teacher_checkpoint(teacher_cfg: Dict, path: str,
                              seed: int) -> str:
    """Saves a randomly initialised teacher once (reused when present)."""
    if osp.isfile(path):
        return path
    init_default_scope('mmaction')
    torch.manual_seed(seed)
    cfg = dict(copy.deepcopy(teacher_cfg), checkpoint=None,
               allow_random_init=True)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    torch.save({'state_dict': MODELS.build(cfg).model.state_dict()}, path)
    return path


def _is_transform(transform, base: type) -> bool:
    cls = transform.get('type')
    cls = TRANSFORMS.get(cls) if isinstance(cls, str) else cls
    return isinstance(cls, type) and issubclass(cls, base)


def derive_store_cfg(online: Config, store_dir: str) -> Config:
    """A train-from-store copy of an online HalluciNet config, made as
    ``configs/synthetic/hallucinet_r18_synthetic_store.py`` is made."""
    cfg = copy.deepcopy(online)
    cfg.store_teacher = copy.deepcopy(cfg.model.teacher)
    cfg.model.teacher = None
    cfg.model.data_preprocessor.preprocessors.teacher_feats = dict(
        type='ActionDataPreprocessor')
    ds = dataset_cfg(cfg, 'train')
    pipeline = []
    for t in map(lambda t: copy.deepcopy(dict(t)), ds['pipeline']):
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


def build_cfgs(setting: str, videos: Dict, num_samples: int, ckpt: str,
               store_dir: str) -> Dict[str, Config]:
    """The configs of the three runs on the first ``num_samples`` videos,
    all with the centre frame; ``ckpt`` is the online and store teacher."""
    init_default_scope('mmaction')
    opts = {
        'train_dataloader.dataset.ann_file': videos['train_ann'],
        'train_dataloader.dataset.data_prefix.video': videos['video_dir'],
        'train_dataloader.dataset.indices': num_samples
    }
    cfgs = {}
    for run in ('vanilla', 'online'):
        cfg = Config.fromfile(osp.join(ROOT, SETTINGS[setting][run]))
        cfg.merge_from_dict(opts)
        if setting == 'paper':
            cfg.merge_from_dict({'model.backbone.weights': None})
        for t in dataset_cfg(cfg, 'train')['pipeline']:
            if _is_transform(t, SingleFrameSampler):
                t['mode'] = 'centre'
        cfgs[run] = cfg
    cfgs['online'].merge_from_dict({'model.teacher.checkpoint': ckpt})
    cfgs['store'] = derive_store_cfg(cfgs['online'], store_dir)
    return cfgs


def build_dataset(cfg: Config, check_store: bool = False):
    """The train split's dataset; with ``check_store`` its store is checked
    against the config, as ``CheckTeacherFeatureStoreHook`` does."""
    init_default_scope('mmaction')
    dataset = DATASETS.build(copy.deepcopy(cfg.train_dataloader.dataset))
    dataset.full_init()
    if check_store and not check_dataset_stores(cfg, 'train', dataset):
        raise RuntimeError('the store run has no LoadTeacherFeatures')
    return dataset


def decoded_frames(dataset, index: int) -> int:
    """Frames a pipeline decodes for a sample (its sampler's frame_inds)."""
    results = dataset.get_data_info(index)
    for transform in dataset.pipeline.transforms:
        results = transform(results)
        if 'frame_inds' in results:
            return int(len(results['frame_inds']))
    raise RuntimeError('the pipeline sets no frame_inds')


def build_model(cfg: Config, device: str, seed: int) -> torch.nn.Module:
    """Builds and initialises a model on ``device`` in train mode (without
    MMEngine's INFO report of the initialisation)."""
    init_default_scope('mmaction')
    torch.manual_seed(seed)
    model = MODELS.build(copy.deepcopy(cfg.model))
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    model.init_weights()
    logger.setLevel(level)
    return model.to(device).train()


def timed_calls(model, wrapper, batches: List[Dict]) -> Dict[str, tuple]:
    """Name -> (batches, untimed prepare, timed call) of a model's runs:
    the train step, and for the online model its teacher forward and data
    preprocessor alone (in the optimiser's autocast context)."""
    calls = {'step': (batches, None,
                      lambda b: model.train_step(b, wrapper))}
    if getattr(model, 'teacher', None) is not None:

        def preprocess(batch):
            with torch.no_grad(), wrapper.optim_context(model):
                return model.data_preprocessor(batch, True)['inputs']

        def teacher(inputs):
            with wrapper.optim_context(model):
                model.teacher_features(inputs)

        calls[PARTS[0]] = (batches, preprocess, teacher)
        calls[PARTS[1]] = (batches, None, preprocess)
    return calls


def rotated(names: List[str], steps: int):
    """Yields (iteration, every name in an order rotated per iteration)."""
    for it in range(steps):
        yield it, names[it % len(names):] + names[:it % len(names)]


def run_schedule(runs: Dict[str, tuple], steps: int,
                 device: str) -> Dict[str, List[float]]:
    """``steps`` timed calls of every run (see :func:`timed_calls`), one of
    each per iteration, in an order rotated every iteration."""
    times = {name: [] for name in runs}
    for it, names in rotated(list(runs), steps):
        for name in names:
            batches, prepare, call = runs[name]
            batch = batches[it % len(batches)]
            arg = prepare(batch) if prepare else batch
            synchronize(device)
            start = time.perf_counter()
            call(arg)
            synchronize(device)
            times[name].append(time.perf_counter() - start)
    return times


def summarize(times: List[float], warmup: int, batch_size: int) -> Dict:
    """Statistics of one run without its first ``warmup`` calls, with
    samples/s from the median and overall."""
    timed = times[warmup:]
    stats = summarize_times(timed)
    return dict(
        stats, batch_size=batch_size, warmup=warmup, iters=len(timed),
        num_samples=batch_size * len(timed), warmup_times_s=times[:warmup],
        times_s=timed,
        samples_per_s_median=batch_size / stats['median_ms'] * 1e3,
        samples_per_s_overall=batch_size * len(timed) / stats['total_s'])


def compute_ratios(runs: Dict[str, Dict]) -> Dict[str, Dict]:
    """The ratios of :data:`TARGETS` from the reported samples/s, with
    ``pass_median``/``pass_overall`` (None without a target)."""
    ratios = {}
    for name, target in TARGETS.items():
        num, den = name.split('/')
        entry = dict(numerator=num, denominator=den, target=target)
        for basis in ('median', 'overall'):
            key = f'samples_per_s_{basis}'
            entry[basis] = value = runs[num][key] / runs[den][key]
            entry[f'pass_{basis}'] = (None if target is None else
                                      bool(value >= target))
        ratios[name] = entry
    return ratios


def measure_models(args, cfgs: Dict[str, Config],
                   batches: Dict[str, List[Dict]]) -> Dict:
    """The model part: the train steps and the online step's parts."""
    runs = {}
    for run in RUNS:
        model = build_model(cfgs[run], args.device, args.seed)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
        wrapper = (AmpOptimWrapper(optimizer=optimizer)
                   if args.amp else OptimWrapper(optimizer))
        for name, call in timed_calls(model, wrapper, batches[run]).items():
            runs[run if name == 'step' else name] = call
    times = run_schedule(runs, args.warmup + args.iters, args.device)
    stats = {n: summarize(t, args.warmup, args.batch_size)
             for n, t in times.items()}
    step, teacher, pre = (stats[n]['median_ms'] / 1e3
                          for n in ('online', ) + PARTS)
    return dict(
        method='model.train_step(batch, optim_wrapper) on pre-loaded '
        'batches (data loading excluded), interleaved',
        runs={run: stats[run] for run in RUNS},
        parts={name: stats[name] for name in PARTS},
        online_breakdown=dict(
            basis='median of separately timed calls on the same batches',
            step_s=step, teacher_forward_s=teacher, preprocess_s=pre,
            rest_s=step - teacher - pre, teacher_fraction=teacher / step),
        ratios=compute_ratios(stats))


def measure_pipelines(args, datasets: Dict, num_samples: int) -> Dict:
    """The data-pipeline part: ``dataset[i]`` interleaved per sample, the
    first ``--warmup`` excluded."""
    times = {name: [] for name in datasets}
    count = args.warmup + (args.pipeline_samples or 2 * args.batch_size)
    for k, names in rotated(list(datasets), count):
        for name in names:
            start = time.perf_counter()
            datasets[name][k % num_samples]
            times[name].append(time.perf_counter() - start)
    return dict(
        method='dataset[i], interleaved per sample, no model',
        dataset={
            name: dict(summarize(times[name], args.warmup, 1),
                       decoded_frames_per_sample=decoded_frames(ds, 0))
            for name, ds in datasets.items()
        })


def run_benchmark(args: argparse.Namespace) -> Dict:
    """Makes the videos, teacher and store, then measures; returns the
    report's ``settings``, ``store``, ``model`` and ``pipeline``."""
    from tools.data.make_synthetic_videos import make_synthetic_dataset
    spec = SETTINGS[args.setting]
    work_dir = args.work_dir or f'work_dirs/benchmarks/train_{args.setting}'
    num_samples = args.num_samples or args.batch_size * args.preload_batches
    videos = make_synthetic_dataset(
        osp.join(work_dir, 'videos'), num_classes=6,
        videos_per_class_train=math.ceil(num_samples / 6),
        videos_per_class_val=1, num_frames=args.num_frames,
        height=spec['height'], width=spec['width'], seed=args.seed)
    ckpt = args.teacher_checkpoint or random_teacher_checkpoint(
        Config.fromfile(osp.join(ROOT, spec['online'])).model.teacher,
        osp.join(work_dir, f'teacher_random_{args.setting}_{args.seed}.pth'),
        args.seed)
    store_dir = osp.abspath(osp.join(work_dir, 'store', 'train'))
    cfgs = build_cfgs(args.setting, videos, num_samples, ckpt, store_dir)
    shutil.rmtree(store_dir, ignore_errors=True)
    start = time.perf_counter()
    manifest = extract_teacher_features(
        cfgs['store'], store_dir, split='train', batch_size=args.batch_size,
        num_workers=0, device=args.device, progress=False)
    store = dict(dir=store_dir, extraction_s=time.perf_counter() - start,
                 **{k: manifest[k]
                    for k in ('num_samples', 'steps', 'feat_dim')})
    datasets = {run: build_dataset(cfgs[run], check_store=run == 'store')
                for run in RUNS}
    indices = [[(b * args.batch_size + j) % num_samples
                for j in range(args.batch_size)]
               for b in range(args.preload_batches)]
    batches = {run: [pseudo_collate([datasets[run][i] for i in batch])
                     for batch in indices]
               for run in RUNS}
    pipeline = measure_pipelines(args, datasets, num_samples)
    settings = dict(
        vars(args), work_dir=work_dir, num_samples=num_samples,
        description=spec['description'], teacher_checkpoint=ckpt,
        configs=dict(vanilla=spec['vanilla'], online=spec['online'],
                     store=f'derived from {spec["online"]}'),
        batch_indices=indices, targets=TARGETS,
        input_shapes={run: {k: list(v[0].shape)
                            for k, v in batches[run][0]['inputs'].items()}
                      for run in RUNS})
    return dict(settings=settings, store=store,
                model=measure_models(args, cfgs, batches), pipeline=pipeline)


def format_report(report: Dict) -> str:
    """The printed header, tables and online breakdown."""
    s, store, model = report['settings'], report['store'], report['model']
    b, pipe = model['online_breakdown'], report['pipeline']
    mark = {None: '-', True: 'PASS', False: 'MISS'}

    def throughput(first: str, second: str, third: str, runs: Dict) -> str:
        return format_table(
            [first, second, third, 'median ms', 'samples/s (median)',
             'samples/s (overall)'],
            [[n, r.get('decoded_frames_per_sample', r['batch_size']),
              r['iters'], f'{r["median_ms"]:.2f}',
              f'{r["samples_per_s_median"]:.2f}',
              f'{r["samples_per_s_overall"]:.2f}']
             for n, r in runs.items()])

    ratios = format_table(
        ['ratio', 'median', 'overall', 'target', 'median', 'overall'],
        [[n, f'{r["median"]:.2f}', f'{r["overall"]:.2f}',
          '-' if r['target'] is None else f'>={r["target"]:g}',
          mark[r['pass_median']], mark[r['pass_overall']]]
         for n, r in model['ratios'].items()])
    lines = [
        f'setting {s["setting"]}: {s["description"]}',
        f'device {report["meta"]["device_name"]} ({s["device"]}), '
        f'{report["meta"]["threads"]} threads, amp {s["amp"]}',
        'input shapes per sample: ' + '; '.join(
            f'{run} {shape}' for run, shape in s['input_shapes'].items()),
        f'store: {store["num_samples"]} samples x {store["steps"]} x '
        f'{store["feat_dim"]} extracted in {store["extraction_s"]:.1f} s '
        '(one-off)', '', f'TRAIN STEP ({model["method"]}; warm-up '
        f'{s["warmup"]} steps excluded)',
        throughput('run', 'batch', 'iters', model['runs']), '',
        f'online step (median ms): {1e3 * b["step_s"]:.1f} = teacher '
        f'forward {1e3 * b["teacher_forward_s"]:.1f} '
        f'({100 * b["teacher_fraction"]:.0f}%) + data preprocessor '
        f'{1e3 * b["preprocess_s"]:.1f} + rest (student fwd/bwd/update) '
        f'{1e3 * b["rest_s"]:.1f}', '', ratios, '',
        f'DATA PIPELINE ({pipe["method"]})',
        throughput('pipeline', 'frames', 'samples', pipe['dataset'])
    ]
    return '\n'.join(lines)


def main(argv: Optional[Sequence[str]] = None) -> Dict:
    """Runs the benchmark, prints the tables and writes the JSON report."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    report = dict(meta=run_metadata(__file__, argv, args.device))
    report.update(run_benchmark(args))
    print(format_report(report), flush=True)
    finish_report(report, args.out)
    return report


if __name__ == '__main__':
    main()
