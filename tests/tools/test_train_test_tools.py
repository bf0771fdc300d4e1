"""End-to-end tests of tools/train.py, tools/test.py and tools/dist_*.sh.

Everything runs on the CPU on tiny synthetic videos (the session fixture
``synthetic_videos`` in tests/conftest.py) with the tiny 3D teacher config:
2-process DDP (gloo) training, automatic and explicit resuming, distributed
and single-process testing with ``--dump``.
"""
import glob
import math
import os.path as osp
import pickle
import re
import subprocess
import sys

import pytest
import torch

import hallucinet_mm  # noqa: F401  (safe checkpoint loading)
from tools.synthetic_demo.run_records import read_json_records
from mmengine.runner.checkpoint import _load_checkpoint

from tests.tools.tool_runner import (cfg_options, data_options, run_tool,
                                     tool_env)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'synthetic', 'teacher_r3d18_synthetic.py')
DIST_TRAIN = osp.join(ROOT, 'tools', 'dist_train.sh')
DIST_TEST = osp.join(ROOT, 'tools', 'dist_test.sh')
TRAIN = osp.join(ROOT, 'tools', 'train.py')
TEST = osp.join(ROOT, 'tools', 'test.py')
BATCH = 4
TIMEOUT = 300


def _cfg_options(info, splits=('train', 'val', 'test'), **extra):
    """--cfg-options pointing the config at the tiny data, CPU friendly."""
    opts = {
        'train_cfg.max_epochs': 2,
        'train_cfg.val_interval': 1,
        'default_hooks.checkpoint.interval': 1,
        'default_hooks.checkpoint.max_keep_ckpts': -1,
        'default_hooks.logger.interval': 1,
    }
    opts.update(data_options(info, batch_size=BATCH, splits=splits))
    opts.update(extra)
    return cfg_options(opts)


def _run(cmd, cwd):
    return run_tool(cmd, cwd=cwd, timeout=TIMEOUT)


def _iters_per_epoch(num_samples, world_size):
    return math.ceil(math.ceil(num_samples / world_size) / BATCH)


def _load(path):
    return _load_checkpoint(path, map_location='cpu')


def _adam_steps(checkpoint):
    """The Adam step count of every parameter (they all agree)."""
    steps = {float(s['step']) for s in checkpoint['optimizer']['state']
             .values()}
    assert len(steps) == 1, steps
    return steps.pop()


def _test_metrics(work_dir):
    """The metrics json written by a test run (the only run in work_dir)."""
    files = glob.glob(osp.join(work_dir, '*', '*.json'))
    assert len(files) == 1, files
    return read_json_records(files[0])[-1]


def _check_dump(path, info, metrics):
    with open(path, 'rb') as f:
        results = pickle.load(f)
    assert isinstance(results, list)
    assert len(results) == info['num_val']  # one entry per val sample
    with open(info['val_ann']) as f:
        labels = [int(line.split()[1]) for line in f if line.strip()]
    # In annotation order, also after gathering from two ranks.
    assert [int(r['gt_label']) for r in results] == labels
    for r in results:
        assert r['pred_score'].shape == (info['num_classes'], )
        assert int(r['pred_label']) == int(r['pred_score'].argmax())
    top1 = sum(int(r['pred_label']) == int(r['gt_label'])
               for r in results) / len(results)
    assert metrics['acc/top1'] == pytest.approx(top1, abs=1e-4)


# ------------------------------------------------- 2 processes (torchrun)


@pytest.fixture(scope='module')
def dist_run(synthetic_videos, tmp_path_factory):
    """tools/dist_train.sh CONFIG 2: two epochs with 2 CPU processes."""
    work_dir = str(tmp_path_factory.mktemp('dist_train'))
    out = _run(['bash', DIST_TRAIN, CONFIG, '2', '--work-dir', work_dir] +
               _cfg_options(synthetic_videos), cwd=work_dir)
    return dict(work_dir=work_dir, out=out,
                ipe=_iters_per_epoch(synthetic_videos['num_train'], 2))


def test_dist_train_writes_checkpoints(dist_run, synthetic_videos):
    work_dir, out, ipe = dist_run['work_dir'], dist_run['out'], dist_run['ipe']
    assert ipe == 3  # 24 videos, 2 ranks, batch 4: really split over ranks
    for epoch in (1, 2):
        assert osp.isfile(osp.join(work_dir, f'epoch_{epoch}.pth'))
        assert f'Epoch(train) [{epoch}][{ipe}/{ipe}]' in out
        assert f'Epoch(val) [{epoch}]' in out
    assert not osp.exists(osp.join(work_dir, 'epoch_3.pth'))
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read().strip() == 'epoch_2.pth'  # relative: may move
    assert re.search(r'acc/top1: \d\.\d{4}', out)
    # Distributed on gloo, without CUDA.
    assert 'Distributed launcher: pytorch' in out
    assert 'Distributed training: True' in out
    assert 'GPU number: 2' in out  # mmengine's words for the world size
    checkpoint = _load(osp.join(work_dir, 'epoch_2.pth'))
    assert checkpoint['meta']['epoch'] == 2
    assert checkpoint['meta']['iter'] == 2 * ipe
    assert _adam_steps(checkpoint) == 2 * ipe
    # DDP's "module." prefix is not saved.
    assert all(not k.startswith('module.') for k in checkpoint['state_dict'])


@pytest.fixture(scope='module')
def dist_resumed(dist_run, synthetic_videos):
    """--resume (auto) with max_epochs=3 in the same work dir."""
    work_dir = dist_run['work_dir']
    out = _run(['bash', DIST_TRAIN, CONFIG, '2', '--work-dir', work_dir,
                '--resume'] +
               _cfg_options(synthetic_videos, **{'train_cfg.max_epochs': 3}),
               cwd=work_dir)
    return dict(dist_run, out=out)


def test_dist_auto_resume_restores_epoch_iter_optimizer(dist_resumed):
    work_dir, out, ipe = (dist_resumed['work_dir'], dist_resumed['out'],
                          dist_resumed['ipe'])
    epoch_2 = osp.join(work_dir, 'epoch_2.pth')
    # tools/train.py resolves WORK_DIR/last_checkpoint itself.
    assert f'Load checkpoint from {epoch_2}' in out
    assert f'resumed epoch: 2, iter: {2 * ipe}' in out
    # Only the third epoch was trained.
    assert 'Epoch(train) [1]' not in out
    assert 'Epoch(train) [2]' not in out
    assert f'Epoch(train) [3][{ipe}/{ipe}]' in out
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read().strip() == 'epoch_3.pth'

    before, after = _load(epoch_2), _load(osp.join(work_dir, 'epoch_3.pth'))
    assert after['meta']['epoch'] == 3
    assert after['meta']['iter'] == 3 * ipe
    # The optimizer state was restored: Adam's step count continues.
    assert _adam_steps(after) == _adam_steps(before) + ipe == 3 * ipe
    # The message hub continued too (its iteration counter).
    assert after['message_hub']['runtime_info']['iter'] == 3 * ipe - 1
    # And the weights moved on from the resumed ones.
    changed = [k for k, v in before['state_dict'].items()
               if v.is_floating_point()
               and not torch.equal(v, after['state_dict'][k])]
    assert changed


def test_dist_test_and_dump(dist_resumed, synthetic_videos, tmp_path):
    checkpoint = osp.join(dist_resumed['work_dir'], 'epoch_3.pth')
    dump = str(tmp_path / 'out.pkl')
    out = _run(['bash', DIST_TEST, CONFIG, checkpoint, '2', '--work-dir',
                str(tmp_path), '--dump', dump] +
               _cfg_options(synthetic_videos), cwd=str(tmp_path))
    assert f'Load checkpoint from {checkpoint}' in out
    assert 'GPU number: 2' in out
    assert f'Results has been saved to {dump}' in out
    ipe = _iters_per_epoch(synthetic_videos['num_val'], 2)
    assert f'Epoch(test) [{ipe}/{ipe}]' in out
    metrics = _test_metrics(str(tmp_path))
    assert 0.0 <= metrics['acc/top1'] <= 1.0
    assert f"acc/top1: {metrics['acc/top1']:.4f}" in out
    _check_dump(dump, synthetic_videos, metrics)


# ------------------------------------------------------ one process


@pytest.fixture(scope='module')
def single_run(synthetic_videos, tmp_path_factory):
    """python tools/train.py: one epoch in one process."""
    work_dir = str(tmp_path_factory.mktemp('train'))
    out = _run([sys.executable, TRAIN, CONFIG, '--work-dir', work_dir,
                '--seed', '1'] +
               _cfg_options(synthetic_videos, **{'train_cfg.max_epochs': 1}),
               cwd=work_dir)
    return dict(work_dir=work_dir, out=out,
                ipe=_iters_per_epoch(synthetic_videos['num_train'], 1))


def test_single_process_train(single_run):
    work_dir, out, ipe = (single_run['work_dir'], single_run['out'],
                          single_run['ipe'])
    assert 'Distributed training: False' in out
    assert 'seed: 1' in out
    assert f'Epoch(train) [1][{ipe}/{ipe}]' in out
    assert 'Epoch(val) [1]' in out
    checkpoint = _load(osp.join(work_dir, 'epoch_1.pth'))
    assert checkpoint['meta']['epoch'] == 1
    assert checkpoint['meta']['iter'] == ipe
    assert _adam_steps(checkpoint) == ipe


def test_single_process_test_and_dump(single_run, synthetic_videos,
                                      tmp_path):
    checkpoint = osp.join(single_run['work_dir'], 'epoch_1.pth')
    dump = str(tmp_path / 'single.pkl')
    out = _run([sys.executable, TEST, CONFIG, checkpoint, '--work-dir',
                str(tmp_path), '--dump', dump] +
               _cfg_options(synthetic_videos), cwd=str(tmp_path))
    assert f'Load checkpoint from {checkpoint}' in out
    metrics = _test_metrics(str(tmp_path))
    assert {'acc/top1', 'acc/top5', 'acc/mean1'} <= set(metrics)
    _check_dump(dump, synthetic_videos, metrics)


def test_explicit_resume_path(single_run, synthetic_videos, tmp_path):
    """--resume PATH resumes from that file, in another work dir."""
    checkpoint = osp.join(single_run['work_dir'], 'epoch_1.pth')
    ipe = single_run['ipe']
    work_dir = str(tmp_path)
    # (--no-validate drops val_dataloader before --cfg-options are merged,
    # as in MMAction2's tools/train.py, so val options must not be given.)
    out = _run([sys.executable, TRAIN, CONFIG, '--work-dir', work_dir,
                '--resume', checkpoint, '--no-validate'] +
               _cfg_options(synthetic_videos, splits=('train', 'test')),
               cwd=work_dir)
    assert 'Auto resumed' not in out
    assert f'resumed epoch: 1, iter: {ipe}' in out
    assert 'Epoch(train) [1]' not in out
    assert f'Epoch(train) [2][{ipe}/{ipe}]' in out
    assert 'Epoch(val)' not in out  # --no-validate
    assert not osp.exists(osp.join(work_dir, 'epoch_1.pth'))
    resumed = _load(osp.join(work_dir, 'epoch_2.pth'))
    assert resumed['meta']['epoch'] == 2
    assert resumed['meta']['iter'] == 2 * ipe
    assert _adam_steps(resumed) == _adam_steps(_load(checkpoint)) + ipe


# ------------------------------------------- argument handling, in process


def _merged(tool, argv, monkeypatch):
    monkeypatch.setattr(sys, 'argv', [tool.__name__] + argv)
    monkeypatch.setenv('LOCAL_RANK', '0')  # parse_args would set it
    args = tool.parse_args()
    from mmengine.config import Config
    return tool.merge_args(Config.fromfile(args.config), args)


def test_amp_on_cpu_fails_clearly(monkeypatch):
    from tools import train as train_tool
    monkeypatch.setattr(train_tool, '_amp_device_available', lambda: False)
    with pytest.raises(ValueError, match='--amp needs a CUDA'):
        _merged(train_tool, [CONFIG, '--amp'], monkeypatch)


def test_amp_with_accelerator_sets_amp_wrapper(monkeypatch):
    from tools import train as train_tool
    monkeypatch.setattr(train_tool, '_amp_device_available', lambda: True)
    cfg = _merged(train_tool, [CONFIG, '--amp'], monkeypatch)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    assert cfg.optim_wrapper.optimizer.type == 'Adam'


@pytest.mark.skipif(torch.cuda.is_available(), reason='needs a CPU-only host')
def test_amp_on_cpu_host_subprocess(synthetic_videos, tmp_path):
    """The real flag on this CPU-only host fails before the Runner is built,
    with a clear last line (mmengine itself would assert deep inside
    AmpOptimWrapper after building the model and the data)."""
    proc = subprocess.run(
        [sys.executable, TRAIN, CONFIG, '--amp', '--work-dir',
         str(tmp_path)] + _cfg_options(synthetic_videos),
        cwd=str(tmp_path), env=tool_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
    assert proc.returncode != 0
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith('ValueError: --amp needs a CUDA')
    assert 'AmpOptimWrapper does not train on the CPU' in last


@pytest.mark.parametrize('resume, resume_flag, load_from', [
    ([], False, None),
    (['--resume'], True, 'w/epoch_2.pth'),  # from w/last_checkpoint
    (['--resume', 'w/epoch_3.pth'], True, 'w/epoch_3.pth'),
])
def test_train_resume_flags(monkeypatch, tmp_path, resume, resume_flag,
                            load_from):
    from tools import train as train_tool
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'w').mkdir()
    for name in ('epoch_2.pth', 'epoch_3.pth'):
        (tmp_path / 'w' / name).write_bytes(b'')
    (tmp_path / 'w' / 'last_checkpoint').write_text('epoch_2.pth')
    cfg = _merged(train_tool, [CONFIG, '--work-dir', 'w'] + resume,
                  monkeypatch)
    assert bool(cfg.get('resume', False)) is resume_flag
    assert cfg.get('load_from') == load_from
    assert cfg.work_dir == 'w'


def test_test_tool_dump_and_checkpoint_args(monkeypatch):
    from tools import test as test_tool
    cfg = _merged(test_tool, [CONFIG, 'c.pth', '--dump', 'r.pkl'],
                  monkeypatch)
    assert cfg.load_from == 'c.pth'
    assert cfg.test_evaluator == [
        dict(type='AccMetric'),
        dict(type='DumpResults', out_file_path='r.pkl')
    ]
    with pytest.raises(ValueError, match='.pkl or .pickle'):
        _merged(test_tool, [CONFIG, 'c.pth', '--dump', 'r.json'],
                monkeypatch)
