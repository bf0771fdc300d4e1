# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The built-in main job: does hallucination help where one frame holds a cue?

No download, CPU is enough. The protocol is fixed before any run (the
README states it, and ``results.json`` records it):

* **Data** (``tools/data/make_synthetic_videos.py``, generated once, data
  seed 0): 6 motion classes, 40-frame 32x32 videos; a pool of 60 videos per
  class, a validation split of 20 and a test split of 20. Two columns:
  ``cue``, where the moving object's colour is pulled towards a hue typical
  of its class (visibility U(0.6, 1) per video, absent in 20 % of the
  videos), the partial single-frame cue of the motion that follows (as an
  object in hand hints at the action); and ``null``, the same videos
  without it (no single-frame cue at all), the control where hallucination
  cannot help.
* **Teacher** (the Kinetics analogue): the small 3D-CNN trained once per
  column, with labels, on the whole pool, then frozen.
* **Students**, for each seed: a labeled set of 8 videos per class drawn
  from the pool by the seed; the rest of the pool is the unlabeled set.
  Rows: ``vanilla`` (CE on the labeled set), ``hallucinet`` (the paper's
  setting: CE + 50 * L_hallu on the labeled set), ``hallucinet_unlabeled``
  (plus L_hallu on the unlabeled set) and ``ceiling`` (vanilla with labels
  on the whole pool: what one frame allows). Same seed, data, 600-iteration
  budget and batch for every row of a seed.
* **Selection**: the checkpoint with the best validation top-1; the table
  reports the test split, which nothing is tuned on.
* **Diagnostic**: the hallucination's R^2 against predicting the mean
  teacher feature (``HallucinationR2Metric``), on validation at the
  selected checkpoint.

Output: one table (mean +- std over the seeds, and the per-seed paired
difference against vanilla), ``results.json``, ``results.md`` and
``curves.png``. Every run goes through ``tools/train.py`` and
``tools/test.py``; ``--jobs`` runs that many at a time. Each finished run
leaves ``demo_run.json`` (its command and result): ``--resume`` reuses those
and reruns only what an interruption left unfinished (the runs are
deterministic, so the table is the same); without it every run starts in a
clean directory.

Example:
    python tools/run_synthetic_demo.py --work-dir work_dirs/demo --null-control
"""
import argparse
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from hallucinet_mm.engine.checkpoint_files import (  # noqa: E402
    commit_file, tmp_name)
from hallucinet_mm.evaluation.synthetic_demo_report import (  # noqa: E402
    STUDENTS, format_table, plot_curves, summarise, table_of_results_file)
from hallucinet_mm.utils.run_records import (  # noqa: E402
    latest_test_metrics, read_json_records)

_CFG = 'configs/synthetic/'
CONFIGS = dict(
    teacher=_CFG + 'teacher_r3d18_synthetic.py',
    vanilla=_CFG + 'vanilla_r18_600it_synthetic-motion.py',
    hallucinet=_CFG + 'hallucinet_r18_r3d18-tiny_600it_synthetic-motion.py',
    hallucinet_unlabeled=_CFG +
    'hallucinet-unlabeled_r18_r3d18-tiny_600it_synthetic-motion.py',
    ceiling=_CFG + 'vanilla_r18_600it_synthetic-motion.py')
USES_TEACHER = ('hallucinet', 'hallucinet_unlabeled')
#: The two data columns: the generator's cue settings.
COLUMNS = dict(
    cue=dict(cue_kind='hue', cue_strength=1.0, cue_absent_prob=0.2),
    null=dict(cue_strength=0.0, cue_absent_prob=0.0))

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/synthetic_demo')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument(
        '--null-control',
        action='store_true',
        help='also run the no-cue column (doubles the time)')
    parser.add_argument('--pool-per-class', type=int, default=60)
    parser.add_argument('--labeled-per-class', type=int, default=8)
    parser.add_argument('--eval-per-class', type=int, default=20,
                        help='videos per class in each of val and test')
    parser.add_argument('--teacher-epochs', type=int, default=15)
    parser.add_argument('--student-iters', type=int, default=600)
    parser.add_argument('--val-interval', type=int, default=100)
    parser.add_argument(
        '--student-cfg-options',
        nargs='+',
        default=[],
        metavar='KEY=VALUE',
        help='extra --cfg-options for every student run, for diagnostics '
        '(e.g. optim_wrapper.optimizer.fused=False); recorded in '
        'results.json')
    parser.add_argument('--jobs', type=int, default=2,
                        help='runs at a time (each with one torch thread)')
    parser.add_argument('--data-seed', type=int, default=0)
    parser.add_argument(
        '--resume',
        action='store_true',
        help='reuse the finished runs in --work-dir (made with the same '
        'commands) and rerun the unfinished ones')
    parser.add_argument(
        '--summarise',
        metavar='RESULTS_JSON',
        help='print the table of a finished run from its results.json '
        '(no training)')
    return parser.parse_args(argv)


class Runs:
    """Runs tools in subprocesses, printing one line per finished run."""

    def __init__(self, jobs: int, total: int):
        self.pool = ThreadPoolExecutor(jobs)
        self.env = dict(os.environ, PYTHONPATH=ROOT)
        if jobs > 1:
            self.env.update(OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
        self.total, self.done, self.start = total, 0, time.time()
        self.lock = threading.Lock()

    def tool(self, name: str, args: list, log_file: str) -> None:
        with open(log_file, 'w') as log:
            code = subprocess.call([sys.executable, *args], cwd=ROOT,
                                   env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT)
        if code:
            raise RuntimeError(f'{name} failed (exit {code}); see {log_file}')

    def reused(self, name: str, work_dir: str, command: list,
               resume: bool):
        """The result of the finished run in ``work_dir`` (see
        :func:`finished_run`), reported as reused, or None."""
        result = finished_run(work_dir, command, resume)
        if result is not None:
            self.finished(name, f'test top-1 {result["test_acc"]:.3f} '
                          '(reused)')
        return result

    def finished(self, name: str, text: str) -> None:
        with self.lock:
            self.done += 1
            elapsed = time.time() - self.start
            left = elapsed / self.done * (self.total - self.done)
            print(f'[{self.done}/{self.total}] {name}: {text} ({elapsed:.0f}s'
                  f' elapsed, about {left:.0f}s left)', flush=True)


RUN_RECORD = 'demo_run.json'
#: What every run of a work dir shares (the runs' commands do not show it).
SETTINGS = ('null_control', 'pool_per_class', 'labeled_per_class',
            'eval_per_class', 'teacher_epochs', 'student_iters',
            'val_interval', 'student_cfg_options', 'jobs', 'data_seed')


def check_settings(work_dir: str, args) -> None:
    """Records the demo's settings; with ``--resume``, checks them first.

    Runs from other data sizes or thread counts (``--jobs``) must not mix,
    so a resume with other settings, or into a work dir without a record,
    is refused before any data is written. Seeds may be added.
    """
    settings = {key: getattr(args, key) for key in SETTINGS}
    settings['columns'] = COLUMNS
    path = osp.join(work_dir, 'demo_settings.json')
    if args.resume:
        if not osp.isfile(path):
            raise ValueError(f'--resume: {path} is missing (not a demo work '
                             'dir, or one made before --resume existed)')
        try:
            with open(path) as f:
                saved = json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(f'--resume: {path} is damaged ({err})') from err
        if saved != json.loads(json.dumps(settings)):
            raise ValueError(f'--resume: {path} holds other settings:\n'
                             f'{saved}\nnot\n{settings}')
        return
    os.makedirs(work_dir, exist_ok=True)
    with open(path, 'w') as f:
        json.dump(settings, f, indent=1)


def finished_run(work_dir: str, command: list, resume: bool):
    """The result of a finished run with ``command`` (``--resume``), or None.

    Anything else in ``work_dir`` (an unfinished run, or any run when not
    resuming) is removed, so that the run starts clean.

    Raises:
        ValueError: If the finished run in ``work_dir`` had another command.
    """
    record = osp.join(work_dir, RUN_RECORD)
    saved = None
    if resume and osp.isfile(record):
        try:
            with open(record) as f:
                saved = json.load(f)
        except json.JSONDecodeError as err:
            print(f'{record} is damaged ({err}); rerunning that run')
    if saved is not None:
        if saved['command'] != command:
            raise ValueError(
                f'{record} was made by another command:\n{saved["command"]}'
                f'\nnot\n{command}\nuse another --work-dir')
        ckpt = saved['result'].get('ckpt')
        if ckpt is None or osp.isfile(ckpt):
            return saved['result']
        print(f'{record}: its checkpoint {ckpt} is gone; rerunning that run')
    if osp.isdir(work_dir):
        shutil.rmtree(work_dir)
    return None


def save_run(work_dir: str, command: list, result: dict) -> dict:
    """Writes ``demo_run.json`` (flushed, atomically); returns ``result``."""
    tmp = osp.join(work_dir, tmp_name(RUN_RECORD))
    with open(tmp, 'w') as f:
        json.dump(dict(command=command, result=result), f, indent=1)
    commit_file(tmp, osp.join(work_dir, RUN_RECORD))
    return result


def data_options(root: str, train_ann: str) -> list:
    opts = [f'train_dataloader.dataset.ann_file={train_ann}']
    for split in ('train', 'val', 'test'):
        opts.append(f'{split}_dataloader.dataset.data_prefix.video='
                    f'{root}/videos')
    return opts + [
        f'val_dataloader.dataset.ann_file={root}/val.txt',
        f'test_dataloader.dataset.ann_file={root}/test.txt'
    ]


def best_checkpoint(work_dir: str) -> str:
    found = glob.glob(osp.join(work_dir, 'best_*.pth'))
    if len(found) != 1:
        raise FileNotFoundError(f'expected one best_*.pth in {work_dir}, '
                                f'found {found}')
    return found[0]


def val_records(work_dir: str) -> list:
    """The validation records of the training run (step, acc, R^2)."""
    files = sorted(glob.glob(osp.join(work_dir, '2*', 'vis_data',
                                      'scalars.json')))
    return [r for r in read_json_records(files[0]) if 'acc/top1' in r]


def train_student(runs, row, seed, col_dir, teacher, args) -> dict:
    work_dir = osp.join(col_dir, f'seed{seed}', row)
    lists = osp.join(col_dir, f'seed{seed}')
    data = osp.join(col_dir, 'data')
    train_ann = (f'{data}/train.txt'
                 if row == 'ceiling' else f'{lists}/labeled.txt')
    opts = data_options(data, train_ann) + [
        f'train_cfg.max_iters={args.student_iters}',
        f'train_cfg.val_interval={args.val_interval}',
        f'param_scheduler.0.T_max={args.student_iters}',
        f'default_hooks.checkpoint.interval={args.student_iters}'
    ]
    if row == 'hallucinet_unlabeled':
        opts = [o for o in opts if not o.startswith('train_dataloader')]
        pool = args.pool_per_class - args.labeled_per_class
        opts.append('train_dataloader.dataset.datasets.0.times='
                    f'{max(1, round(pool / args.labeled_per_class))}')
        for key, ann in (('0.dataset', 'labeled'), ('1', 'unlabeled')):
            opts += [
                f'train_dataloader.dataset.datasets.{key}.ann_file='
                f'{lists}/{ann}.txt',
                f'train_dataloader.dataset.datasets.{key}.data_prefix.video='
                f'{data}/videos'
            ]
    opts += args.student_cfg_options
    if row in USES_TEACHER:
        opts.append(f'model.teacher.checkpoint={teacher.result()["ckpt"]}')
    command = [
        'tools/train.py', CONFIGS[row], '--work-dir', work_dir, '--seed',
        str(seed), '--cfg-options', *opts
    ]
    name = f'{osp.basename(col_dir)} seed {seed} {row}'
    result = runs.reused(name, work_dir, command, args.resume)
    if result is not None:
        return result
    runs.tool(f'train {row}', command, work_dir + '_train.log')
    ckpt = best_checkpoint(work_dir)
    runs.tool(f'test {row}', [
        'tools/test.py', CONFIGS[row], ckpt, '--work-dir', work_dir,
        '--cfg-options', *opts
    ], work_dir + '_test.log')
    val = val_records(work_dir)
    best = max(val, key=lambda r: r['acc/top1'])  # first best: kept by
    result = dict(                                # mmengine's save_best
        test_acc=latest_test_metrics(work_dir)['acc/top1'],
        val_acc=best['acc/top1'],
        best_iter=best['step'],
        val_curve=[(r['step'], r['acc/top1']) for r in val])
    if row in USES_TEACHER:
        result['val_r2'] = best['hallu/r2']
    runs.finished(name, f'test top-1 {result["test_acc"]:.3f}')
    return save_run(work_dir, command, result)


def train_teacher(runs, col_dir, args) -> dict:
    work_dir = osp.join(col_dir, 'teacher')
    data = osp.join(col_dir, 'data')
    epochs = args.teacher_epochs
    opts = data_options(data, f'{data}/train.txt') + [
        f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}',
        f'default_hooks.checkpoint.interval={epochs}',
        f'param_scheduler.0.T_max={epochs}'
    ]
    command = [
        'tools/train.py', CONFIGS['teacher'], '--work-dir', work_dir,
        '--seed',
        str(args.data_seed), '--cfg-options', *opts
    ]
    result = runs.reused(f'{osp.basename(col_dir)} teacher', work_dir,
                         command, args.resume)
    if result is not None:
        return result
    runs.tool('train teacher', command, work_dir + '_train.log')
    ckpt = osp.join(work_dir, f'epoch_{epochs}.pth')
    runs.tool('test teacher', [
        'tools/test.py', CONFIGS['teacher'], ckpt, '--work-dir', work_dir,
        '--cfg-options', *opts
    ], work_dir + '_test.log')
    acc = latest_test_metrics(work_dir)['acc/top1']
    runs.finished(f'{osp.basename(col_dir)} teacher', f'test top-1 {acc:.3f}')
    return save_run(work_dir, command, dict(ckpt=ckpt, test_acc=acc))


def write_subsets(data: dict, seed: int, per_class: int, out_dir: str):
    """The seed's labeled set (per_class per class) and the rest, unlabeled."""
    with open(data['train_ann']) as f:
        lines = [line.split() for line in f if line.strip()]
    rng = np.random.default_rng([seed, 8])
    labeled = set()
    for label in range(data['num_classes']):
        idx = [i for i, (_, y) in enumerate(lines) if int(y) == label]
        labeled.update(rng.choice(idx, per_class, replace=False).tolist())
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, 'labeled.txt'), 'w') as f:
        f.writelines(f'{p} {y}\n' for i, (p, y) in enumerate(lines)
                     if i in labeled)
    with open(osp.join(out_dir, 'unlabeled.txt'), 'w') as f:
        f.writelines(f'{p}\n' for i, (p, _) in enumerate(lines)
                     if i not in labeled)


def main(argv=None):
    args = parse_args(argv)
    if args.summarise:
        print(table_of_results_file(args.summarise))
        return
    from tools.data.make_synthetic_videos import make_synthetic_dataset
    work_dir = osp.abspath(args.work_dir)
    check_settings(work_dir, args)
    columns = ['cue', 'null'] if args.null_control else ['cue']
    runs = Runs(args.jobs, len(columns) * (1 + len(STUDENTS) *
                                           len(args.seeds)))
    futures = {}
    for col in columns:
        col_dir = osp.join(work_dir, col)
        data = make_synthetic_dataset(
            osp.join(col_dir, 'data'),
            videos_per_class_train=args.pool_per_class,
            videos_per_class_val=args.eval_per_class,
            videos_per_class_test=args.eval_per_class,
            static_cue=0.0,
            seed=args.data_seed,
            **COLUMNS[col])
        print(f'{col} data: {data["num_train"]} pool, {data["num_val"]} val,'
              f' {data["num_test"]} test videos in {data["root"]}',
              flush=True)
        teacher = runs.pool.submit(train_teacher, runs, col_dir, args)
        futures[col, 'teacher'] = teacher
        for seed in args.seeds:
            write_subsets(data, seed, args.labeled_per_class,
                          osp.join(col_dir, f'seed{seed}'))
        # Rows without the teacher first: they run while it trains.
        for row in sorted(STUDENTS, key=lambda r: r in USES_TEACHER):
            for seed in args.seeds:
                futures[col, seed, row] = runs.pool.submit(
                    train_student, runs, row, seed, col_dir, teacher, args)
    results = {col: {'teacher': futures[col, 'teacher'].result()}
               for col in columns}
    for (col, *key), future in futures.items():
        if key != ['teacher']:
            results[col].setdefault(key[0], {})[key[1]] = future.result()
    summary = summarise(results, args.seeds)
    table = format_table(summary, args.seeds)
    print('\n' + table, flush=True)
    plot_curves(results, args.seeds, osp.join(work_dir, 'curves.png'))
    with open(osp.join(work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(dict(command=' '.join(['tools/run_synthetic_demo.py'] +
                                        (argv or sys.argv[1:])),
                       args=vars(args), protocol=__doc__, columns=COLUMNS,
                       wall_s=time.time() - runs.start, results=results,
                       table=summary),
                  f, indent=1, default=str)
    print(f'\nsaved {work_dir}/results.json, results.md and curves.png '
          f'({time.time() - runs.start:.0f}s)', flush=True)


if __name__ == '__main__':
    main()
