# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Where a step of the main job's HalluciNet + unlabeled student goes, for
the previous protocol (``before``) and today's (``after``), side by side.

* ``before``: the whole ResNet-18 student (512-d), the teacher on
  16x32x32 clips (no resize), a DataLoader with 1 persistent worker, a
  train and a test process per run;
* ``after``: today's :data:`CONFIG` (ResNet-18 with three stages, 256-d),
  the teacher on clips resized to 16x16, the loader in the training process
  (``num_workers=0``), one process per run (``synthetic_demo/train_test``).

Both are built from :data:`CONFIG` (``before`` with overrides), with one
random teacher, on small generated videos, batch 16, one torch thread by
default. Parts, timed interleaved (one call of each per repeat, in an order
rotated every repeat; the first ``--warmup`` dropped): decoding one sample
without a cache, into a fresh ``CheckedDecordInit`` cache (the first read
of a video: all its frames) and from the warm cache; the data pipeline of a
batch (``dataset[i]`` x 16 and collation, warm cache); the data
preprocessor and the teacher forward of a batch; ``model.train_step`` with
the config's optim wrapper (it includes those two: the student's share is
the rest); and the training loop's step (wait for the loader's next batch,
then ``train_step``) in blocks of ``--block-steps`` consecutive steps per
setting, the first 2 of each block dropped (the worker's prefetched
batches). Per run: process start (a fresh ``python -c "import hallucinet_mm,
mmaction.models"``, median of ``--process-repeats``) times processes per
run, the loaders' ``iter()`` (worker start) and the first reads of
``--videos-per-run`` videos. Validation passes are not counted.

Example::

    python tools/analysis/benchmark_demo_step.py \\
        --out docs/benchmarks/demo_step.json
"""
import argparse
import copy
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)  # run as a script from anywhere
from mmaction.registry import TRANSFORMS  # noqa: E402
from tools.analysis.benchmark_train import (  # noqa: E402
    build_model, random_teacher_checkpoint, rotated, run_schedule,
    timed_calls)
from tools.analysis.bench_utils import (finish_report,  # noqa: E402
                                        format_table, run_metadata,
                                        summarize_times)

CONFIG = ('configs/synthetic/hallucinet-unlabeled_r18-s3_r3d18-tiny-td_'
          '600it_synthetic-motion.py')
SETTINGS = ('before', 'after')
#: Processes and data loaders (train, val, test) per run.
PROCESSES = dict(before=2, after=1)
LOADERS_PER_RUN = 3
#: Per-batch parts of :func:`timed_calls` -> names in the report.
MODEL_PARTS = dict(step='train_step', online_teacher_forward='teacher_forward',
                   online_preprocess='preprocess')
DECODE_PARTS = ('decode_nocache', 'decode_first_read', 'decode_cached')
START_CMD = 'import hallucinet_mm, mmaction.models'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parses and checks the command line (errors name the option)."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add = parser.add_argument
    add('--batch-size', type=int, default=16)
    add('--threads', type=int, default=1, help='torch.set_num_threads')
    add('--warmup', type=int, default=2, help='untimed repeats')
    add('--repeats', type=int, default=15, help='timed repeats per part')
    add('--block-steps', type=int, default=5,
        help='consecutive loop steps per setting and repeat (>= 3)')
    add('--process-repeats', type=int, default=3)
    add('--iters', type=int, default=1000, help='steps of a run')
    add('--videos-per-run', type=int, default=600,
        help="videos a run reads (the demo's pool, val and test: 600)")
    add('--videos-per-class', type=int, default=4)
    add('--work-dir', default='work_dirs/benchmarks/demo_step')
    add('--seed', type=int, default=0)
    add('--out', default='work_dirs/benchmarks/demo_step.json')
    args = parser.parse_args(argv)
    lows = dict(batch_size=1, threads=1, repeats=1, process_repeats=1, iters=1,
                videos_per_class=1, block_steps=3, warmup=0, videos_per_run=0)
    for name, low in lows.items():
        if getattr(args, name) < low:
            parser.error(f'--{name.replace("_", "-")} must be >= {low}')
    return args


def make_videos(work_dir: str, per_class: int, seed: int) -> Dict[str, str]:
    """Small generated videos and the labeled and unlabeled lists (half of
    each class's training videos each)."""
    from tools.data.make_synthetic_videos import make_synthetic_dataset
    info = make_synthetic_dataset(
        osp.join(work_dir, 'videos'), videos_per_class_train=per_class,
        videos_per_class_val=1, seed=seed, cue_strength=1.0)
    with open(info['train_ann']) as f:
        lines = [ln.split() for ln in f if ln.strip()]
    seen: Dict[str, int] = {}
    files = dict(labeled=[], unlabeled=[])
    for path, label in lines:
        seen[label] = seen.get(label, 0) + 1
        if seen[label] <= max(1, per_class // 2):
            files['labeled'].append(f'{path} {label}')
        else:
            files['unlabeled'].append(path)
    out = dict(video_dir=info['video_dir'])
    for part, rows in files.items():
        out[part] = osp.join(info['root'], f'{part}.txt')
        with open(out[part], 'w') as f:
            f.write('\n'.join(rows) + '\n')
    return out


def build_cfg(setting: str, videos: Dict, ckpt: str) -> Config:
    """:data:`CONFIG` on ``videos``, with ``before``'s overrides."""
    cfg = Config.fromfile(osp.join(ROOT, CONFIG))
    cfg.model.teacher.checkpoint = ckpt
    concat = cfg.train_dataloader.dataset  # labeled (repeated), unlabeled
    labeled, unlabeled = concat.datasets[0].dataset, concat.datasets[1]
    for ds, part in ((labeled, 'labeled'), (unlabeled, 'unlabeled')):
        ds.update(ann_file=videos[part], data_prefix=dict(
            video=videos['video_dir']))
    if setting == 'before':
        cfg.model.backbone.update(num_stages=4, out_indices=(3, ),
                                  strides=(1, 2, 2, 2),
                                  dilations=(1, 1, 1, 1))
        cfg.model.cls_head.in_channels = 512
        cfg.model.hallu_head.in_channels = 512
        cfg.model.teacher.input_shape = (1, 3, 16, 32, 32)
        for ds in (labeled, unlabeled):
            ds.pipeline = [
                {k: v for k, v in t.items() if k != 'teacher_pipeline'}
                for t in ds.pipeline]
        cfg.train_dataloader.update(num_workers=1, persistent_workers=True)
    return cfg


class Setting:
    """One setting's model, optim wrapper, loader and pipeline pieces."""

    def __init__(self, cfg: Config, args) -> None:
        self.model = build_model(cfg, 'cpu', args.seed)
        self.wrapper = build_optim_wrapper(self.model, cfg.optim_wrapper)
        loader_cfg = copy.deepcopy(cfg.train_dataloader)
        loader_cfg.batch_size = args.batch_size
        self.loader = Runner.build_dataloader(loader_cfg, seed=args.seed)
        self.dataset = self.loader.dataset
        labeled = self.dataset.datasets[0].dataset
        self.infos = [labeled.get_data_info(i) for i in range(len(labeled))]
        self.init, self.sampler, self.decode = labeled.pipeline.transforms[:3]
        for i in range(len(self.dataset)):  # warm the cache (workers fork
            self.dataset[i]  # from here and inherit it)
        n, size = len(self.dataset), args.batch_size
        self.batch_indices = [[(b * size + j) % n for j in range(size)]
                              for b in range(2)]
        self.batches = [pseudo_collate([self.dataset[i] for i in b])
                        for b in self.batch_indices]
        self.iterator = None  # set by measure()

    def decode_sample(self, init, index: int) -> None:
        """Opens, samples and decodes one sample with ``init``."""
        results = copy.deepcopy(self.infos[index % len(self.infos)])
        self.decode(self.sampler(init(results)))

    def new_init(self, cache: bool):
        """A fresh ``CheckedDecordInit`` (with an empty cache or none)."""
        return TRANSFORMS.build(dict(
            type='CheckedDecordInit',
            cache_bytes=self.init.cache.max_bytes if cache else 0))

    def loop_steps(self, steps: int) -> List[tuple]:
        """(loader wait, step) seconds of ``steps`` training-loop steps."""
        out = []
        for _ in range(steps):
            start = time.perf_counter()
            batch = next(self.iterator)
            got = time.perf_counter()
            self.model.train_step(batch, self.wrapper)
            out.append((got - start, time.perf_counter() - start))
        return out


def part_calls(setting: Setting) -> Dict[str, tuple]:
    """Part -> (items, untimed prepare, timed call), for ``run_schedule``."""
    samples = list(range(len(setting.infos)))
    calls = {
        'decode_nocache': (samples, None, lambda i: setting.decode_sample(
            setting.new_init(cache=False), i)),
        'decode_first_read': (samples,
                              lambda i: (setting.new_init(cache=True), i),
                              lambda a: setting.decode_sample(*a)),
        'decode_cached': (samples, None,
                          lambda i: setting.decode_sample(setting.init, i)),
        'pipeline': (setting.batch_indices, None, lambda b: pseudo_collate(
            [setting.dataset[i] for i in b])),
    }
    for name, call in timed_calls(setting.model, setting.wrapper,
                                  setting.batches).items():
        calls[MODEL_PARTS[name]] = call
    return calls


def process_start_s(repeats: int) -> List[float]:
    """Seconds of fresh ``python -c START_CMD`` processes."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, '-c', START_CMD], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def measure(args, settings: Dict[str, Setting]) -> Dict[str, Dict]:
    """Times every part of both settings, interleaved."""
    runs = {f'{s}/{part}': call for s, setting in settings.items()
            for part, call in part_calls(setting).items()}
    times = run_schedule(runs, args.warmup + args.repeats, 'cpu')
    starts = {}
    for s in SETTINGS:  # iter() starts the workers, if any
        start = time.perf_counter()
        settings[s].iterator = iter(settings[s].loader)
        starts[s] = time.perf_counter() - start
    waits, steps = {s: [] for s in SETTINGS}, {s: [] for s in SETTINGS}
    for _, order in rotated(list(SETTINGS), args.warmup + args.repeats):
        for s in order:
            block = settings[s].loop_steps(args.block_steps)[2:]
            waits[s] += [w for w, _ in block]
            steps[s] += [t for _, t in block]
    skip = args.warmup * (args.block_steps - 2)
    parts = {}
    for s in SETTINGS:
        parts[s] = {p: summarize_times(times[f'{s}/{p}'][args.warmup:])
                    for p in list(DECODE_PARTS) + ['pipeline'] +
                    list(MODEL_PARTS.values())}
        parts[s]['loader_wait'] = summarize_times(waits[s][skip:])
        parts[s]['loop_step'] = summarize_times(steps[s][skip:])
        parts[s]['loader_iter_start'] = summarize_times([starts[s]])
    return parts


def summarise(args, parts: Dict, proc: Dict) -> Dict:
    """Seconds per step (parts and loop) and per run, and the ratios."""
    out = {}
    for s in SETTINGS:
        med = {p: v['median_ms'] / 1e3 for p, v in parts[s].items()}
        step = med['loop_step']
        run = dict(
            process_start_s=PROCESSES[s] * proc['median_ms'] / 1e3,
            loader_start_s=LOADERS_PER_RUN * med['loader_iter_start'],
            first_reads_s=args.videos_per_run * med['decode_first_read'],
            steps_s=args.iters * step)
        out[s] = dict(
            processes_per_run=PROCESSES[s], step_s=step,
            step_p90_s=parts[s]['loop_step']['p90_ms'] / 1e3,
            loader_wait_s=med['loader_wait'], pipeline_s=med['pipeline'],
            teacher_forward_s=med['teacher_forward'],
            preprocess_s=med['preprocess'], train_step_s=med['train_step'],
            student_fwd_bwd_opt_s=(med['train_step'] - med['teacher_forward']
                                   - med['preprocess']),
            run=dict(run, total_s=sum(run.values()), iters=args.iters))
    out['before/after'] = dict(
        step=out['before']['step_s'] / out['after']['step_s'],
        run=out['before']['run']['total_s'] / out['after']['run']['total_s'])
    return out


def lscpu_model() -> Optional[str]:
    """``Model name`` of ``lscpu`` (None without lscpu)."""
    try:
        text = subprocess.run(['lscpu'], capture_output=True,
                              text=True).stdout
    except OSError:
        return None
    return next((ln.split(':', 1)[1].strip() for ln in text.splitlines()
                 if ln.startswith('Model name')), None)


def format_report(report: Dict) -> str:
    """The printed parts table and the per-step and per-run summary."""
    parts, summ = report['parts'], report['summary']
    ms = lambda v: f'{v["median_ms"]:.2f} / {v["p90_ms"]:.2f}'  # noqa: E731
    unit = dict(dict.fromkeys(DECODE_PARTS, 'sample'), loop_step='step',
                loader_iter_start='loader', loader_wait='step')
    table = format_table(
        ['part (ms, median / p90)', 'per', 'before', 'after'],
        [[p, unit.get(p, 'batch'), ms(parts['before'][p]),
          ms(parts['after'][p])] for p in parts['before']] +
        [['process start', 'process', ms(report['process_start']),
          ms(report['process_start'])]])
    rows = [[k, f'{summ["before"]["run"][k]:.1f}',
             f'{summ["after"]["run"][k]:.1f}']
            for k in ('process_start_s', 'loader_start_s', 'first_reads_s',
                      'steps_s', 'total_s')]
    run = format_table(['per run (s)', 'before', 'after'], rows)
    s, m = report['settings'], report['meta']
    return '\n'.join([
        f'{m["lscpu_model"]}, {m["threads"]} torch thread(s), batch '
        f'{s["batch_size"]}, {s["repeats"]} repeats', '', table, '',
        'seconds per step (loop median): before '
        f'{summ["before"]["step_s"]:.3f}, after {summ["after"]["step_s"]:.3f}'
        f', before/after {summ["before/after"]["step"]:.2f}', '', run,
        f'{s["iters"]}-iteration run: before/after '
        f'{summ["before/after"]["run"]:.2f} (validation not counted)'])


def main(argv: Optional[Sequence[str]] = None) -> Dict:
    """Runs the benchmark, prints the tables and writes the JSON report."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    report = dict(meta=dict(run_metadata(__file__, argv, 'cpu'),
                            lscpu_model=lscpu_model()))
    videos = make_videos(args.work_dir, args.videos_per_class, args.seed)
    teacher = Config.fromfile(osp.join(ROOT, CONFIG)).model.teacher
    ckpt = random_teacher_checkpoint(
        teacher, osp.join(args.work_dir, f'teacher_random_{args.seed}.pth'),
        args.seed)
    settings = {s: Setting(build_cfg(s, videos, ckpt), args)
                for s in SETTINGS}
    proc = summarize_times(process_start_s(args.process_repeats))
    parts = measure(args, settings)
    report.update(
        settings=dict(vars(args), config=CONFIG, teacher_checkpoint=ckpt,
                      processes_per_run=PROCESSES,
                      loaders_per_run=LOADERS_PER_RUN,
                      process_start_command=START_CMD,
                      input_shapes={s: {k: list(v[0].shape) for k, v in
                                        st.batches[0]['inputs'].items()}
                                    for s, st in settings.items()}),
        process_start=proc, parts=parts,
        summary=summarise(args, parts, proc))
    print(format_report(report), flush=True)
    finish_report(report, args.out)
    return report


if __name__ == '__main__':
    main()
