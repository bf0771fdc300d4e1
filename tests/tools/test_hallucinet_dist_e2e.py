"""HalluciNet end to end with MMAction2's launchers, 2 CPU processes.

A tiny teacher is trained and saved by tools/train.py, reloaded from its
checkpoint by the HalluciNet config, which trains with tools/dist_train.sh
on 2 processes and is evaluated with tools/dist_test.sh (accuracy and the
test-set hallucination loss). The student checkpoint holds no teacher.
"""
import os.path as osp
import sys

import pytest

from hallucinet_mm.compat import safe_torch_load
from tools.synthetic_demo.run_records import latest_test_metrics
from tests.tools.tool_runner import ROOT, cfg_options, data_options, run_tool

TEACHER = osp.join(ROOT, 'configs/synthetic/teacher_r3d18_synthetic.py')
HALLUCINET = osp.join(ROOT, 'configs/synthetic/hallucinet_r18_synthetic.py')
UNLABELED = osp.join(
    ROOT, 'configs/synthetic/'
    'hallucinet-unlabeled_r18-s3_r3d18-tiny-td_600it_synthetic-motion.py')


def _short(opts, epochs=1):
    opts.update({
        'train_cfg.max_epochs': epochs,
        'train_cfg.val_interval': epochs,
        'default_hooks.checkpoint.interval': 1,
        'param_scheduler.0.T_max': epochs,
    })
    return opts


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory, synthetic_videos):
    """A tiny teacher trained and saved by tools/train.py."""
    teacher_dir = tmp_path_factory.mktemp('teacher')
    run_tool([
        sys.executable, 'tools/train.py', TEACHER, '--work-dir',
        str(teacher_dir)
    ] + cfg_options(_short(data_options(synthetic_videos))))
    ckpt = str(teacher_dir / 'epoch_1.pth')
    assert osp.isfile(ckpt)
    return ckpt


def test_hallucinet_trains_and_tests_with_two_processes(
        tmp_path, synthetic_videos, teacher_ckpt):
    work = tmp_path / 'hallucinet'
    opts = _short(data_options(synthetic_videos, batch_size=4), epochs=2)
    opts['model.teacher.checkpoint'] = teacher_ckpt
    out = run_tool(['bash', 'tools/dist_train.sh', HALLUCINET, '2',
                    '--work-dir', str(work)] + cfg_options(opts))
    assert 'loss_hallu' in out
    ckpt = safe_torch_load(str(work / 'epoch_2.pth'))
    assert ckpt['meta']['epoch'] == 2
    assert not [k for k in ckpt['state_dict'] if 'teacher' in k]
    assert any(k.startswith('hallu_head.') for k in ckpt['state_dict'])
    # mmengine's runtime report: a distributed run with 2 processes.
    assert 'Distributed training: True' in out
    assert 'GPU number: 2' in out  # mmengine's name for the world size

    run_tool(['bash', 'tools/dist_test.sh', HALLUCINET,
              str(work / 'epoch_2.pth'), '2', '--work-dir',
              str(work)] + cfg_options(opts))
    metrics = latest_test_metrics(str(work))
    assert 0.0 <= metrics['acc/top1'] <= 1.0
    assert metrics['hallu/loss'] > 0
    assert abs(metrics['hallu/loss_x1e3'] - 1e3 * metrics['hallu/loss']) < 1e-6


def test_unlabeled_list_trains_with_two_processes(tmp_path, synthetic_videos,
                                                  teacher_ckpt):
    """One labeled video and seven unlabeled ones: most per-rank batches hold
    no label, and DDP still sees every parameter in every step."""
    with open(synthetic_videos['train_ann']) as f:
        lines = [line.split() for line in f if line.strip()]
    labeled = tmp_path / 'labeled.txt'
    labeled.write_text(' '.join(lines[0]) + '\n')
    unlabeled = tmp_path / 'unlabeled.txt'
    unlabeled.write_text(''.join(p + '\n' for p, _ in lines[1:8]))
    opts = data_options(synthetic_videos, batch_size=2,
                        splits=('val', 'test'))
    opts['train_dataloader.dataset.datasets.0.times'] = 1
    for key, ann in (('0.dataset', labeled), ('1', unlabeled)):
        opts[f'train_dataloader.dataset.datasets.{key}.ann_file'] = str(ann)
        opts[f'train_dataloader.dataset.datasets.{key}.data_prefix.video'] \
            = synthetic_videos['video_dir']
    opts.update({
        'train_dataloader.batch_size': 2,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_cfg.max_iters': 4,
        'train_cfg.val_interval': 4,
        'default_hooks.checkpoint.interval': 4,
        'default_hooks.logger.interval': 1,
        'model.teacher.checkpoint': teacher_ckpt,
        # The fixture's teacher knows the students' 6 classes, the main
        # job's its own domain's 10.
        'model.teacher.model.cls_head.num_classes': 6,
    })
    work = tmp_path / 'unlabeled'
    out = run_tool(['bash', 'tools/dist_train.sh', UNLABELED, '2',
                    '--work-dir', str(work)] + cfg_options(opts))
    assert 'Distributed training: True' in out
    assert out.count('loss_hallu') >= 4
    assert 'loss_cls: 0.0000' in out  # a step without any labeled sample
    assert 'hallu/r2' in out  # the validation diagnostic
    assert osp.isfile(work / 'iter_4.pth')
