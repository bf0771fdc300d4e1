# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The built-in main job: does hallucinating a teacher that never saw the
students' videos or labels help a one-frame student?

No download, CPU is enough. The protocol (``docs/synthetic_demo/
protocol_v3.md`` declares it; ``results.json`` records it):

* **The teacher's own domain** (the Kinetics analogue,
  ``tools/synthetic_demo/teacher_domain.py``): 10 classes of other motions
  (diagonals, translation with spin, fast spins) of another object (an L)
  on other backgrounds, from a random stream of its own; 80 training, 20
  validation and 20 test videos per class. The teacher (a small 3D-CNN that
  sees 16 frames at 16x16) trains there once, with its own labels, and is
  then frozen. It never sees a student video or label; its accuracy on its
  own test split is reported.
* **The students' domain** (``tools/synthetic_demo/render.py``): 6 motion
  classes of a bar (translate right, left, up, down; rotate cw, ccw), 40
  frames of 32x32; a pool of 60 videos per class, validation and test
  splits of 20. Two columns: ``cue`` (the object's hue pulled towards a
  class-typical hue, visibility U(0.6, 1), absent in 20 % of the videos: a
  partial single-frame cue of the motion that follows) and ``null`` (the
  same videos without it: the control where nothing can be gained).
* **Rows**, for each seed, on a labeled set of 8 videos per class drawn by
  the seed (the rest of the pool is the unlabeled set): ``vanilla`` (CE on
  the labeled set); ``hallucinet`` (CE + 50 * L_hallu on the labeled set,
  the paper's setting); ``hallucinet_unlabeled`` (plus L_hallu on the
  unlabeled set); ``pseudo_label`` (the teacher-free baseline: the seed's
  vanilla student labels the unlabeled set, those with a top probability of
  at least ``--pseudo-threshold`` join the labeled set); ``ceiling``
  (vanilla with labels on the whole pool). The ``null`` column runs the
  first three. The student is a 2D ResNet-18 with its first three stages
  (from scratch) on one frame; the same budget (600 iterations of 16),
  optimiser and selection for every row.
* **Linear probe**: per seed, a logistic regression on the frozen teacher's
  features of that seed's labeled set, tested on the students' test split
  (``tools/synthetic_demo/probe.py``): what the teacher knows of the
  students' classes.
* **Selection**: the checkpoint with the best validation top-1; the table
  reports the test split, which nothing is tuned on. Diagnostic: the
  hallucination's R^2 on validation (``HallucinationR2Metric``).

Every run goes through ``tools/train.py`` and ``tools/test.py``; ``--jobs``
runs that many at a time; ``--resume`` reuses finished runs.

``make demo`` runs the headline's protocol (data seed 2) on seeds 0-2 of
the cue column; the evidence run adds seeds 3-7 and the null column.

Example:
    python tools/run_synthetic_demo.py --work-dir work_dirs/demo --null-control \
        --seeds 0 1 2 3 4 5 6 7
"""
import argparse
import glob
import json
import os
import os.path as osp
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from tools.synthetic_demo.report import (  # noqa: E402
    ROWS, format_table, plot_curves, summarise, table_of_results_file)
from tools.synthetic_demo.run_records import latest_test_metrics  # noqa
from tools.synthetic_demo.runs import (Runs, check_settings,  # noqa: E402
                                       save_run, val_records)

_CFG = 'configs/synthetic/'
CONFIGS = dict(
    teacher=_CFG + 'teacher_r3d18-tiny_16x16_teacher-domain.py',
    vanilla=_CFG + 'vanilla_r18-s3_600it_synthetic-motion.py',
    hallucinet=_CFG + 'hallucinet_r18-s3_r3d18-tiny-td_600it_'
    'synthetic-motion.py',
    hallucinet_unlabeled=_CFG + 'hallucinet-unlabeled_r18-s3_'
    'r3d18-tiny-td_600it_synthetic-motion.py',
    pseudo_label=_CFG + 'pseudo-label_r18-s3_600it_synthetic-motion.py',
    ceiling=_CFG + 'vanilla_r18-s3_600it_synthetic-motion.py')
USES_TEACHER = ('hallucinet', 'hallucinet_unlabeled')
#: The two data columns: the generator's cue settings.
COLUMNS = dict(
    cue=dict(cue_kind='hue', cue_strength=1.0, cue_absent_prob=0.2),
    null=dict(cue_strength=0.0, cue_absent_prob=0.0))
#: What every run of a work dir shares (the runs' commands do not show it).
SETTINGS = ('null_control', 'pool_per_class', 'labeled_per_class',
            'eval_per_class', 'teacher_per_class', 'teacher_epochs',
            'student_iters', 'val_interval', 'pseudo_threshold',
            'student_cfg_options', 'jobs', 'data_seed')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add = parser.add_argument
    add('--work-dir', default='work_dirs/synthetic_demo')
    add('--seeds', type=int, nargs='+', default=[0, 1, 2])
    add('--null-control', action='store_true',
        help='also run the no-cue column (about doubles the time)')
    add('--pool-per-class', type=int, default=60)
    add('--labeled-per-class', type=int, default=8)
    add('--eval-per-class', type=int, default=20,
        help='videos per class in each of val and test')
    add('--teacher-per-class', type=int, default=80,
        help="training videos per class of the teacher's domain (its val "
        'and test splits have a quarter as many, at least 1)')
    add('--teacher-epochs', type=int, default=15)
    add('--student-iters', type=int, default=600)
    add('--val-interval', type=int, default=100)
    add('--pseudo-threshold', type=float, default=0.95,
        help="the teacher-free baseline's confidence threshold")
    add('--student-cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
        help='extra --cfg-options for every student run, for diagnostics '
        '(e.g. optim_wrapper.optimizer.fused=False); recorded in '
        'results.json')
    add('--jobs', type=int, default=2,
        help='runs at a time (each with one torch thread)')
    add('--data-seed', type=int, default=2,
        help='the data draw (2: the evidence run v3; 0 and 1 were looked at '
        'before)')
    add('--resume', action='store_true',
        help='reuse the finished runs in --work-dir (made with the same '
        'commands) and rerun the unfinished ones')
    add('--summarise', metavar='RESULTS_JSON',
        help='print the table of a finished run from its results.json '
        '(no training)')
    return parser.parse_args(argv)


def data_options(data: str, train_ann: str) -> list:
    """``--cfg-options`` pointing a config's three splits at ``data``."""
    opts = [f'train_dataloader.dataset.ann_file={train_ann}']
    for split in ('train', 'val', 'test'):
        opts.append(f'{split}_dataloader.dataset.data_prefix.video='
                    f'{data}/videos')
    return opts + [
        f'val_dataloader.dataset.ann_file={data}/val.txt',
        f'test_dataloader.dataset.ann_file={data}/test.txt'
    ]


def mixed_options(data: str, labeled: str, other: str, times: int) -> list:
    """Options for a ConcatDataset of the labeled list (repeated ``times``)
    and another list (unlabeled or pseudo-labeled)."""
    opts = [f'train_dataloader.dataset.datasets.0.times={times}']
    for key, ann in (('0.dataset', labeled), ('1', other)):
        opts += [
            f'train_dataloader.dataset.datasets.{key}.ann_file={ann}',
            f'train_dataloader.dataset.datasets.{key}.data_prefix.video='
            f'{data}/videos'
        ]
    return opts


def count_lines(path: str) -> int:
    with open(path) as f:
        return sum(1 for line in f if line.strip())


def train_and_test(runs, name, config, work_dir, command_opts, seed, args,
                   extra=None, checkpoint='best_*.pth') -> dict:
    """Trains ``config`` and tests it once.

    Args:
        extra (callable, optional): A step to run first, given the work dir;
            its dict joins the result.
        checkpoint (str): The checkpoint to test, a glob in the work dir:
            by default the one with the best validation top-1.
    """
    command = ['tools/train.py', config, '--work-dir', work_dir, '--seed',
               str(seed), '--cfg-options', *command_opts]
    result = runs.reused(name, work_dir, command, args.resume)
    if result is not None:
        return result
    if extra is not None:  # a step the run needs first (pseudo-labels)
        extra = extra(work_dir)
    runs.tool(name, [
        'tools/synthetic_demo/train_test.py', '--checkpoint', checkpoint,
        '--', *command[1:]
    ], work_dir + '.log')
    ckpt = glob.glob(osp.join(work_dir, checkpoint))[0]
    val = val_records(work_dir)
    best = max(val, key=lambda r: r['acc/top1'])  # first best: kept by
    result = dict(                                # mmengine's save_best
        test_acc=latest_test_metrics(work_dir)['acc/top1'], ckpt=ckpt,
        val_acc=best['acc/top1'], best_iter=best['step'],
        val_curve=[(r['step'], r['acc/top1']) for r in val])
    if 'hallu/r2' in best:
        result['val_r2'] = best['hallu/r2']
    if extra:
        result.update(extra)
    runs.finished(name, f'test top-1 {result["test_acc"]:.3f}')
    return save_run(work_dir, command, result)


def train_student(runs, row, seed, col_dir, teacher, vanilla, args) -> dict:
    """One row of one seed (``vanilla`` is the seed's vanilla future)."""
    work_dir = osp.join(col_dir, f'seed{seed}', row)
    lists = osp.join(col_dir, f'seed{seed}')
    data = osp.join(col_dir, 'data')
    labeled = f'{lists}/labeled.txt'
    train_ann = f'{data}/train.txt' if row == 'ceiling' else labeled
    opts = data_options(data, train_ann) + [
        f'train_cfg.max_iters={args.student_iters}',
        f'train_cfg.val_interval={args.val_interval}',
        f'param_scheduler.0.T_max={args.student_iters}',
        f'default_hooks.checkpoint.interval={args.student_iters}'
    ]
    extra = None
    if row in ('hallucinet_unlabeled', 'pseudo_label'):
        opts = [o for o in opts if not o.startswith('train_dataloader')]
        num_labeled = count_lines(labeled)
        if row == 'hallucinet_unlabeled':
            other = f'{lists}/unlabeled.txt'
        else:
            other = osp.join(work_dir, 'pseudo_labeled.txt')
            extra = pseudo_label_step(runs, seed, data, lists, vanilla, args)
        # The labeled list repeated so that, beside the whole unlabeled
        # set, about half of each batch is truly labeled (the same
        # repetition for the pseudo-labeled set).
        times = round(count_lines(f'{lists}/unlabeled.txt') / num_labeled)
        opts += mixed_options(data, labeled, other, max(1, times))
    opts += args.student_cfg_options
    if row in USES_TEACHER:
        opts.append(f'model.teacher.checkpoint={teacher.result()["ckpt"]}')
    name = f'{osp.basename(col_dir)} seed {seed} {row}'
    return train_and_test(runs, name, CONFIGS[row], work_dir, opts, seed,
                          args, extra)


def pseudo_label_step(runs, seed, data, lists, vanilla, args):
    """The step before the baseline's training: the seed's vanilla student
    labels the unlabeled set, and the confident ones are kept."""

    def step(work_dir):
        os.makedirs(work_dir, exist_ok=True)
        out = osp.join(work_dir, 'pseudo_labeled.txt')
        runs.tool(f'pseudo-labels seed {seed}', [
            'tools/synthetic_demo/pseudo_labels.py', CONFIGS['vanilla'],
            vanilla.result()['ckpt'], f'{lists}/unlabeled.txt',
            '--video-dir', f'{data}/videos', '--threshold',
            str(args.pseudo_threshold), '--out', out, '--truth',
            f'{data}/train.txt'
        ], osp.join(work_dir, 'pseudo_labels.log'))
        with open(osp.join(work_dir, 'pseudo_labeled.json')) as f:
            stats = json.load(f)
        if not stats['num_kept']:
            raise RuntimeError(
                f'seed {seed}: no unlabeled video reached the pseudo-label '
                f'threshold {args.pseudo_threshold}; lower '
                '--pseudo-threshold')
        return dict(pseudo_labels=stats)

    return step


def train_teacher(runs, teacher_data, args) -> dict:
    """The teacher, on its own domain only; tested on its own test split."""
    epochs = args.teacher_epochs
    opts = data_options(teacher_data, f'{teacher_data}/train.txt') + [
        f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}',
        f'default_hooks.checkpoint.interval={epochs}',
        f'param_scheduler.0.T_max={epochs}'
    ]
    return train_and_test(
        runs, 'teacher (own domain)', CONFIGS['teacher'],
        osp.join(osp.dirname(teacher_data), 'teacher'), opts, args.data_seed,
        args, checkpoint=f'epoch_{epochs}.pth')


def run_probe(runs, col_dir, teacher, args) -> dict:
    """The linear probe of the teacher's features, one per seed."""
    data = osp.join(col_dir, 'data')
    out = osp.join(col_dir, 'probe.json')
    runs.tool(f'{osp.basename(col_dir)} probe', [
        'tools/synthetic_demo/probe.py', CONFIGS['hallucinet'],
        teacher.result()['ckpt'], '--video-dir', f'{data}/videos', '--test',
        f'{data}/test.txt', '--labeled', *[
            f'{s}={col_dir}/seed{s}/labeled.txt' for s in args.seeds
        ], '--out', out
    ], osp.join(col_dir, 'probe.log'))
    with open(out) as f:
        accs = json.load(f)
    runs.finished(f'{osp.basename(col_dir)} linear probe',
                  f'test top-1 {np.mean(list(accs.values())):.3f}')
    return {int(k): v for k, v in accs.items()}


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


def make_data(work_dir, columns, args):
    """The teacher's domain and each column's student data."""
    from tools.data.make_synthetic_videos import (make_synthetic_dataset,
                                                  make_teacher_dataset)
    eval_per_class = max(1, args.teacher_per_class // 4)
    teacher = make_teacher_dataset(
        osp.join(work_dir, 'teacher_domain', 'data'),
        videos_per_class_train=args.teacher_per_class,
        videos_per_class_val=eval_per_class,
        videos_per_class_test=eval_per_class, seed=args.data_seed)
    print(f"teacher's domain: {teacher['num_train']} train, "
          f"{teacher['num_val']} val, {teacher['num_test']} test videos, "
          f"{teacher['num_classes']} classes", flush=True)
    students = {}
    for col in columns:
        students[col] = make_synthetic_dataset(
            osp.join(work_dir, col, 'data'),
            videos_per_class_train=args.pool_per_class,
            videos_per_class_val=args.eval_per_class,
            videos_per_class_test=args.eval_per_class, static_cue=0.0,
            seed=args.data_seed, **COLUMNS[col])
        for seed in args.seeds:
            write_subsets(students[col], seed, args.labeled_per_class,
                          osp.join(work_dir, col, f'seed{seed}'))
    return teacher, students


def main(argv=None):
    args = parse_args(argv)
    if args.summarise:
        print(table_of_results_file(args.summarise))
        return
    work_dir = osp.abspath(args.work_dir)
    settings = {key: getattr(args, key) for key in SETTINGS}
    check_settings(work_dir, dict(settings, columns=COLUMNS), args.resume)
    columns = ['cue', 'null'] if args.null_control else ['cue']
    teacher_data, _ = make_data(work_dir, columns, args)
    total = 1 + sum(1 + len(ROWS[c]) * len(args.seeds) for c in columns)
    runs = Runs(args.jobs, total)
    submit = runs.pool.submit
    teacher = submit(train_teacher, runs, teacher_data['root'], args)
    futures = {}
    for col in columns:
        col_dir = osp.join(work_dir, col)
        # Dependencies before their dependents (no thread waits on a run
        # that has not started); rows without the teacher first.
        order = sorted(ROWS[col], key=lambda r: (r in USES_TEACHER,
                                                 r == 'pseudo_label'))
        for row in order:
            if row in USES_TEACHER and (col, 'probe') not in futures:
                futures[col, 'probe'] = submit(run_probe, runs, col_dir,
                                               teacher, args)
            for seed in args.seeds:
                futures[col, seed, row] = submit(
                    train_student, runs, row, seed, col_dir, teacher,
                    futures.get((col, seed, 'vanilla')), args)
    results = dict(teacher=teacher.result())
    for (col, *key), future in futures.items():
        res = results.setdefault(col, {})
        if key == ['probe']:
            res['probe'] = future.result()
        else:
            res.setdefault(key[0], {})[key[1]] = future.result()
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
