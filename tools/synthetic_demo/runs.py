# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The main job's runs: subprocesses of the tools, their records, resuming.

Each finished run leaves ``demo_run.json`` (its command and result);
``--resume`` reuses those and reruns only what an interruption left
unfinished; without it every run starts in a clean directory.
"""
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

from hallucinet_mm.engine.checkpoint_files import commit_file, tmp_name
from .run_records import read_json_records

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


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
        """Runs ``python ARGS`` in the repository root, logging to a file."""
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


#: Each finished run's record: its command and result.
RUN_RECORD = 'demo_run.json'


def check_settings(work_dir: str, settings: dict, resume: bool) -> None:
    """Records the demo's settings; with ``resume``, checks them first.

    Args:
        work_dir (str): The demo's work dir.
        settings (dict): What every run of the work dir shares (the runs'
            commands do not show it): data sizes, budget, cues, ``--jobs``.
        resume (bool): Check instead of write.

    Runs from other data sizes or thread counts (``--jobs``) must not mix,
    so a resume with other settings, or into a work dir without a record,
    is refused before any data is written. Seeds may be added.
    """
    path = osp.join(work_dir, 'demo_settings.json')
    if resume:
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


def val_records(work_dir: str) -> list:
    """The validation records of the training run (step, acc, R^2)."""
    files = sorted(glob.glob(osp.join(work_dir, '2*', 'vis_data',
                                      'scalars.json')))
    return [r for r in read_json_records(files[0]) if 'acc/top1' in r]


