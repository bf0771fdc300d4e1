"""tools/train.py runs of the shipped synthetic HalluciNet config, tiny size.

Shared by tests/reliability/test_resume_*.py and test_nonfinite_*.py: a few
32x32 videos (the session fixture ``synthetic_videos``), batch 4, one
persistent worker, the config's dropout, ``seed=0 deterministic=True``,
a randomly initialised tiny teacher saved as its checkpoint.
"""
import os
import re
import signal
import subprocess
import sys
import tempfile

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import hallucinet_mm  # noqa: F401  (compat, registers components)
from mmaction.registry import MODELS
from tests.tools.tool_runner import ROOT, cfg_options, run_tool, tool_env

CONFIG = os.path.join(ROOT, 'configs/synthetic/hallucinet_r18_synthetic.py')
TEACHER_MODEL = os.path.join(ROOT,
                             'configs/_base_/models/r3d18_tiny_teacher.py')
TRAIN_SAMPLES = 8  # 2 iterations per epoch
VAL_SAMPLES = 4


def save_teacher(path, nan=False):
    """A random tiny 3D teacher checkpoint (all weights NaN with ``nan``)."""
    init_default_scope('mmaction')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(TEACHER_MODEL).teacher_model)
    state = model.state_dict()
    if nan:
        state = {
            k: torch.full_like(v, float('nan')) if v.is_floating_point() else v
            for k, v in state.items()
        }
    torch.save({'state_dict': state}, str(path))
    return str(path)


def train_cmd(videos, teacher, work_dir, epochs, resume=False):
    """tools/train.py on the tiny data: ``epochs`` epochs, val after each."""
    opts = {
        'model.teacher.checkpoint': teacher,
        'train_cfg.max_epochs': epochs,
        'train_cfg.val_interval': 1,
        'param_scheduler.0.T_max': epochs,
        'default_hooks.checkpoint.interval': 1,
        'default_hooks.logger.interval': 1
    }
    for split, ann, num in (('train', videos['train_ann'], TRAIN_SAMPLES),
                            ('val', videos['val_ann'], VAL_SAMPLES)):
        opts.update({
            f'{split}_dataloader.dataset.ann_file':
            ann,
            f'{split}_dataloader.dataset.data_prefix.video':
            videos['video_dir'],
            f'{split}_dataloader.dataset.indices':
            num,
            f'{split}_dataloader.batch_size':
            4,
            f'{split}_dataloader.num_workers':
            1,
            f'{split}_dataloader.persistent_workers':
            True,
        })
    cmd = [
        sys.executable, 'tools/train.py', CONFIG, '--work-dir',
        str(work_dir), '--seed', '0', '--deterministic'
    ]
    return cmd + (['--resume'] if resume else []) + cfg_options(opts)


def train(*args, **kwargs):
    """Runs :func:`train_cmd` to the end; returns its output."""
    return run_tool(train_cmd(*args, **kwargs), timeout=240)


def _start(stdout, *args, **kwargs) -> subprocess.Popen:
    """:func:`train_cmd` in a new process group (killed with its workers)."""
    return subprocess.Popen(train_cmd(*args, **kwargs),
                            cwd=ROOT,
                            env=tool_env(),
                            stdout=stdout,
                            stderr=subprocess.STDOUT,
                            text=True,
                            start_new_session=True)


class BackgroundTraining:
    """:func:`train_cmd` started now, in the background (2 cores: another
    run can go on meanwhile); :meth:`wait` for it, :meth:`stop` it."""

    def __init__(self, *args, **kwargs):
        self.log = tempfile.TemporaryFile('w+')
        self.proc = _start(self.log, *args, **kwargs)

    def wait(self, timeout=240) -> str:
        """Waits for the run; returns its output, failing with its tail."""
        code = self.proc.wait(timeout)
        self.log.seek(0)
        out = self.log.read()
        assert code == 0, f'training exited {code}:\n{out[-6000:]}'
        return out

    def stop(self) -> None:
        """Kills the run and its workers if it is still going."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def train_until(pattern, *args, timeout=240, **kwargs):
    """Runs :func:`train_cmd` and kill -9s it (and its workers) at a line.

    Returns:
        str: The output up to the matching line.
    """
    proc = _start(subprocess.PIPE, *args, **kwargs)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if re.search(pattern, line):
                os.killpg(proc.pid, signal.SIGKILL)
                break
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout)
        proc.stdout.close()
    assert re.search(pattern, lines[-1] if lines else ''), ''.join(lines[-40:])
    return ''.join(lines)
