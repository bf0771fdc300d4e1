# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""End to end: the synthetic MTL-AQA configs through tools/dist_*.sh.

Two CPU processes (gloo) train the synthetic dive-recognition config, then
the synthetic AQA config starting from the dive checkpoint through
``load_from`` (a checkpoint whose head does not match), and test both;
the checkpoints and the test metrics in mmengine's result json are checked.
"""
import glob
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
import torch

import hallucinet_mm  # noqa: F401  (registers components, applies compat)
from tools.synthetic_demo.run_records import read_json_records
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)
from tools.data.make_synthetic_mtl_aqa import \
    make_synthetic_mtl_aqa  # noqa: E402

CFG = 'configs/synthetic/hallucinet_r18_r3d18-tiny_1xb4-1x12x3-2e_synthetic-'
DIVE_CFG = CFG + 'mtl-aqa-dive.py'
AQA_CFG = CFG + 'mtl-aqa-score.py'
FIELDS = ('position', 'armstand', 'rotation_type', 'ss_no', 'tw_no')
TIMEOUT = 300

pytestmark = pytest.mark.skipif(
    sys.platform.startswith('win'), reason='needs bash')


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def fixture(tmp_path_factory):
    """The synthetic MTL-AQA data (16 dives: each of 2 ranks gets a full
    batch of 4 with drop_last) and a tiny teacher checkpoint."""
    root = tmp_path_factory.mktemp('e2e')
    data = str(root / 'mtl_aqa')
    make_synthetic_mtl_aqa(
        data, num_videos=4, dives_per_video=4, frames_per_dive=(40, 50))
    init_default_scope('mmaction')
    teacher_cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/_base_/models/r3d18_tiny_teacher.py'))
    wrapper = MODELS.build(
        dict(
            type='FrozenTeacherWrapper',
            model=teacher_cfg.teacher_model.to_dict(),
            allow_random_init=True,
            input_shape=(1, 3, 16, 32, 32)))
    ckpt = str(root / 'tiny_teacher.pth')
    torch.save({'state_dict': wrapper.model.state_dict()}, ckpt)
    return dict(root=str(root), data=data, teacher=ckpt)


def _run(script, args, fixture, extra_options=()):
    env = dict(os.environ)
    env.update(
        PORT=str(_free_port()),
        PYTHON=sys.executable,
        PYTHONPATH=REPO_ROOT + os.pathsep + env.get('PYTHONPATH', ''),
        OMP_NUM_THREADS='1',
        MKL_NUM_THREADS='1')
    options = [
        f'{split}_dataloader.dataset.data_root={fixture["data"]}'
        for split in ('train', 'val', 'test')
    ] + [f'model.teacher.checkpoint={fixture["teacher"]}', *extra_options]
    cmd = ['bash', osp.join(REPO_ROOT, 'tools', script), *args,
           '--cfg-options', *options]
    proc = subprocess.run(
        cmd,
        cwd=fixture['root'],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stdout[-6000:]
    return proc.stdout


def _train(config, work_dir, fixture, extra_options=()):
    return _run('dist_train.sh', [
        osp.join(REPO_ROOT, config), '2', '--work-dir', work_dir
    ], fixture, extra_options)


def _test(config, checkpoint, work_dir, fixture):
    _run('dist_test.sh', [
        osp.join(REPO_ROOT, config), checkpoint, '2', '--work-dir', work_dir
    ], fixture)
    found = [
        p for p in glob.glob(osp.join(work_dir, '*', '*.json'))
        if osp.basename(p)[:-5] == osp.basename(osp.dirname(p))
    ]
    assert len(found) == 1, found
    return read_json_records(found[0])[-1]


def _log_text(work_dir):
    logs = glob.glob(osp.join(work_dir, '*', '*.log'))
    assert logs
    return ''.join(open(p).read() for p in logs)


def test_dive_then_aqa_train_and_test_on_two_processes(fixture):
    root = fixture['root']
    dive_dir = osp.join(root, 'dive')
    _train(DIVE_CFG, dive_dir, fixture)
    for epoch in (1, 2):
        assert osp.isfile(osp.join(dive_dir, f'epoch_{epoch}.pth'))
    ckpt = torch.load(
        osp.join(dive_dir, 'epoch_2.pth'), map_location='cpu',
        weights_only=True)
    keys = ckpt['state_dict'].keys()
    assert any(k.startswith('hallu_head.') for k in keys)
    assert not any('teacher' in k for k in keys)  # never in the student's
    log = _log_text(dive_dir)
    assert 'loss_hallu' in log and 'dive/mean_acc' in log  # val ran

    metrics = _test(DIVE_CFG, osp.join(dive_dir, 'epoch_2.pth'),
                    osp.join(root, 'dive_test'), fixture)
    for field in FIELDS:
        assert 0 <= metrics[f'dive/{field}_acc'] <= 100
    assert 'dive/mean_acc' in metrics and 'dive/all_acc' in metrics

    # AQA from the dive checkpoint, another head: refused unless the keys
    # that may stay untrained are named (fine-tuning asked for by name).
    aqa_dir = osp.join(root, 'aqa')
    dive_ckpt = f'load_from={osp.join(dive_dir, "epoch_2.pth")}'
    with pytest.raises(AssertionError, match='cls_head.fc_score.weight'):
        _train(AQA_CFG, osp.join(root, 'aqa_refused'), fixture, [dive_ckpt])
    out = _train(AQA_CFG, aqa_dir, fixture,
                 [dive_ckpt, 'load_from_allow_missing=[cls_head.*]'])
    assert osp.isfile(osp.join(aqa_dir, 'epoch_2.pth'))
    # mmengine prints the mismatch (stdout, not the log file) and goes on.
    assert 'unexpected key in source state_dict: cls_head.fc_fields' in out
    assert 'missing keys in source state_dict: cls_head.fc_score' in out
    log = _log_text(aqa_dir)
    assert 'loss_score' in log and 'aqa/spearman' in log

    metrics = _test(AQA_CFG, osp.join(aqa_dir, 'epoch_2.pth'),
                    osp.join(root, 'aqa_test'), fixture)
    assert -100 <= metrics['aqa/spearman'] <= 100
