# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The built-in main job: HalluciNet vs a vanilla 2D-CNN on synthetic videos.

No download, CPU is enough. Steps, for each seed:

1. synthetic motion videos (tools/data/make_synthetic_videos.py), made once;
2. train the small 3D teacher (configs/synthetic/teacher_r3d18_synthetic.py)
   and test it;
3. train the vanilla 2D student (configs/synthetic/vanilla_r18_synthetic.py)
   and the HalluciNet student (configs/synthetic/hallucinet_r18_synthetic.py,
   with this seed's teacher) with the same seed and budget, and test both
   (HalluciNet's test also reports the test-set hallucination loss);

then measure the student's and the teacher's CPU latency (batch 1), and
print and save one table (mean +- std over the seeds), ``results.json`` and
``training_curves.png``. Every training and test runs through
``tools/train.py`` / ``tools/test.py``, as a user would run them.

Example:
    python tools/run_synthetic_demo.py --work-dir work_dirs/demo
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from hallucinet_mm.utils.run_records import latest_test_metrics  # noqa: E402

CONFIGS = dict(
    teacher='configs/synthetic/teacher_r3d18_synthetic.py',
    vanilla='configs/synthetic/vanilla_r18_synthetic.py',
    hallucinet='configs/synthetic/hallucinet_r18_synthetic.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/synthetic_demo')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--teacher-epochs', type=int, default=20)
    parser.add_argument('--student-epochs', type=int, default=15)
    parser.add_argument('--videos-per-class-train', type=int, default=40)
    parser.add_argument('--videos-per-class-val', type=int, default=20)
    parser.add_argument('--data-seed', type=int, default=0)
    parser.add_argument(
        '--latency-repeats',
        type=int,
        default=30,
        help='timed forward passes per model (median reported)')
    return parser.parse_args(argv)


class Progress:
    """Prints one line per stage with the elapsed time and an estimate."""

    def __init__(self, total: int):
        self.total, self.done, self.start = total, 0, time.time()

    def stage(self, text: str) -> None:
        elapsed = time.time() - self.start
        eta = ''
        if self.done:
            eta = f', about {elapsed / self.done * (self.total - self.done):.0f}s left'
        print(f'[{self.done + 1}/{self.total}] {text} '
              f'({elapsed:.0f}s elapsed{eta})', flush=True)
        self.done += 1


def data_overrides(data_root: str) -> list:
    opts = []
    for split, ann in (('train', 'train'), ('val', 'val'), ('test', 'val')):
        opts += [
            f'{split}_dataloader.dataset.ann_file={data_root}/{ann}.txt',
            f'{split}_dataloader.dataset.data_prefix.video={data_root}/videos'
        ]
    return opts


def run_tool(args: list, log_file: str) -> None:
    """Runs a tool, showing its epoch lines; raises with the log on error."""
    cmd = [sys.executable, *args]
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep +
               os.environ.get('PYTHONPATH', ''))
    with open(log_file, 'w') as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            log.write(line)
            if 'Epoch(val)' in line or 'Epoch(test)' in line or (
                    'Epoch(train)' in line and '/' in line
                    and line.split(']')[1].split('/')[0].strip('[ ') ==
                    line.split(']')[1].split('/')[1]):
                print('    ' + line.split(' - mmengine - INFO - ')[-1].rstrip(),
                      flush=True)
        proc.wait()
    if proc.returncode:
        raise RuntimeError(f'{" ".join(cmd)} failed; see {log_file}')


def last_checkpoint(work_dir: str) -> str:
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def train_and_test(name: str, seed: int, epochs: int, work_dir: str,
                   extra: list, progress: Progress) -> dict:
    cfg = CONFIGS[name]
    progress.stage(f'train {name} (seed {seed}, {epochs} epochs)')
    opts = extra + [
        f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}',
        f'default_hooks.checkpoint.interval={epochs}',
        f'param_scheduler.0.T_max={epochs}'
    ]
    run_tool([
        'tools/train.py', cfg, '--work-dir', work_dir, '--seed',
        str(seed), '--cfg-options', *opts
    ], osp.join(work_dir + '_train.log'))
    ckpt = last_checkpoint(work_dir)
    progress.stage(f'test {name} (seed {seed})')
    run_tool(['tools/test.py', cfg, ckpt, '--work-dir', work_dir,
              '--cfg-options', *extra], osp.join(work_dir + '_test.log'))
    return dict(checkpoint=ckpt, metrics=latest_test_metrics(work_dir))


def measure_latency(teacher_ckpt: str, student_ckpt: str, data_root: str,
                    repeats: int) -> dict:
    """Median CPU latency (batch 1) of the student alone and the teacher."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    import hallucinet_mm  # noqa: F401
    from mmaction.registry import MODELS
    init_default_scope('mmaction')
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS['hallucinet']))
    cfg.model.teacher.checkpoint = teacher_ckpt
    model = MODELS.build(cfg.model)
    load_checkpoint(model, student_ckpt, map_location='cpu', logger='silent')
    model.eval()
    frame = torch.randn(1, 1, 3, 32, 32)
    clip = torch.randn(1, 3, 16, 32, 32)

    def median_ms(fn, x):
        with torch.inference_mode():
            for _ in range(5):
                fn(x)
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                fn(x)
                times.append(time.perf_counter() - t0)
        return 1e3 * float(np.median(times))

    student_ms = median_ms(lambda x: model(dict(imgs=x), mode='tensor'),
                           frame)
    teacher_ms = median_ms(model.teacher, clip)
    return dict(
        student_ms=student_ms,
        teacher_ms=teacher_ms,
        ratio=student_ms / teacher_ms,
        torch_threads=torch.get_num_threads())


def read_curves(work_dir: str) -> dict:
    """Per-epoch training losses and val accuracy from mmengine's logs."""
    files = sorted(glob.glob(osp.join(work_dir, '2*', 'vis_data',
                                      'scalars.json')))
    curves = dict(epoch=[], loss_cls=[], loss_hallu=[], val_epoch=[],
                  val_acc=[])
    if not files:
        return curves
    train, val = [], []
    with open(files[0]) as f:  # the training run is the oldest
        for line in f:
            rec = json.loads(line)
            if 'loss_cls' in rec:
                train.append(rec)
            elif 'acc/top1' in rec:
                val.append(rec)
    if train:
        iters_per_epoch = max(r['iter'] for r in train) / max(
            r['epoch'] for r in train)
        for r in train:
            curves['epoch'].append(r['iter'] / iters_per_epoch)
            curves['loss_cls'].append(r['loss_cls'])
            curves['loss_hallu'].append(r.get('loss_hallu', np.nan))
    curves['val_epoch'] = [r['step'] for r in val]
    curves['val_acc'] = [r['acc/top1'] for r in val]
    return curves


def plot_curves(curves: dict, out_file: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    colours = dict(teacher='tab:green', vanilla='tab:blue',
                   hallucinet='tab:red')
    first_seed = min(seed for _, seed in curves)
    for (name, seed), c in sorted(curves.items()):
        kw = dict(color=colours[name], alpha=0.7,
                  label=name if seed == first_seed else None)
        axes[0].plot(c['epoch'], c['loss_cls'], **kw)
        if name == 'hallucinet':
            axes[1].plot(c['epoch'], c['loss_hallu'], **kw)
        if c['val_acc']:
            axes[2].plot(c['val_epoch'], c['val_acc'], marker='o', **kw)
    axes[0].set(title='training loss_cls', xlabel='epoch', ylabel='loss')
    axes[1].set(title='training loss_hallu (50 x MSE of sigmoids)',
                xlabel='epoch', ylabel='loss')
    axes[2].set(title='val top-1 accuracy', xlabel='epoch',
                ylabel='accuracy')
    for ax in axes:
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)
    plt.close(fig)


def mean_std(values) -> str:
    values = np.asarray(values, dtype=float)
    return f'{values.mean():.3f} +- {values.std(ddof=0):.3f}'


def main(argv=None):
    args = parse_args(argv)
    from tools.data.make_synthetic_videos import make_synthetic_dataset
    work_dir = osp.abspath(args.work_dir)
    os.makedirs(work_dir, exist_ok=True)
    progress = Progress(total=1 + 6 * len(args.seeds) + 1)

    progress.stage('make synthetic videos')
    data = make_synthetic_dataset(
        osp.join(work_dir, 'data'),
        videos_per_class_train=args.videos_per_class_train,
        videos_per_class_val=args.videos_per_class_val,
        seed=args.data_seed)
    overrides = data_overrides(data['root'])

    runs, curves = [], {}
    for seed in args.seeds:
        run = dict(seed=seed)
        teacher = train_and_test('teacher', seed, args.teacher_epochs,
                                 osp.join(work_dir, f'teacher_seed{seed}'),
                                 overrides, progress)
        run['teacher_acc'] = teacher['metrics']['acc/top1']
        for name in ('vanilla', 'hallucinet'):
            extra = list(overrides)
            if name == 'hallucinet':
                extra.append(f'model.teacher.checkpoint={teacher["checkpoint"]}')
            out = train_and_test(name, seed, args.student_epochs,
                                 osp.join(work_dir, f'{name}_seed{seed}'),
                                 extra, progress)
            run[f'{name}_acc'] = out['metrics']['acc/top1']
            run[f'{name}_checkpoint'] = out['checkpoint']
            if name == 'hallucinet':
                run['hallu_loss_x1e3'] = out['metrics']['hallu/loss_x1e3']
        run['teacher_checkpoint'] = teacher['checkpoint']
        for name in CONFIGS:
            curves[(name, seed)] = read_curves(
                osp.join(work_dir, f'{name}_seed{seed}'))
        runs.append(run)

    progress.stage('measure CPU latency (batch 1)')
    latency = measure_latency(runs[0]['teacher_checkpoint'],
                              runs[0]['hallucinet_checkpoint'], data['root'],
                              args.latency_repeats)

    rows = [
        ('teacher accuracy (3D, 16 frames)', mean_std(
            [r['teacher_acc'] for r in runs])),
        ('vanilla 2D accuracy (1 frame)', mean_std(
            [r['vanilla_acc'] for r in runs])),
        ('HalluciNet accuracy (1 frame)', mean_std(
            [r['hallucinet_acc'] for r in runs])),
        ('HalluciNet test L_hallu (x1e-3)', mean_std(
            [r['hallu_loss_x1e3'] for r in runs])),
        ('student latency (ms, batch 1, CPU)', f'{latency["student_ms"]:.2f}'),
        ('teacher latency (ms, batch 1, CPU)', f'{latency["teacher_ms"]:.2f}'),
        ('student / teacher latency', f'{latency["ratio"]:.2f}'),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [
        f'HalluciNet on synthetic motion videos: {len(args.seeds)} seeds '
        f'{args.seeds}, mean +- std (accuracy = top-1 on the '
        f'{data["num_val"]} val videos)', '-' * (width + 20)
    ] + [f'{name:<{width}}  {value}' for name, value in rows]
    table = '\n'.join(lines)
    print('\n' + table, flush=True)

    plot_file = osp.join(work_dir, 'training_curves.png')
    plot_curves(curves, plot_file)
    with open(osp.join(work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(
            dict(
                command=' '.join([osp.relpath(__file__, ROOT)] +
                                 (argv or sys.argv[1:])),
                args=vars(args),
                runs=runs,
                latency=latency,
                table=dict(rows)),
            f,
            indent=2)
    print(f'\nsaved {work_dir}/results.json, results.md and '
          f'training_curves.png', flush=True)


if __name__ == '__main__':
    main()
