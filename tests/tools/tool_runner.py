"""Runs the project's tools as a user would (subprocesses), for tests;
and a benchmark's ``main`` in the test's process (:func:`run_report`)."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TIMEOUT = 420


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def tool_env() -> dict:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=ROOT + os.pathsep + env.get('PYTHONPATH', ''),
        PYTHON=sys.executable,
        PORT=str(free_port()),
        OMP_NUM_THREADS='1',
        MKL_NUM_THREADS='1')
    return env


def run_tool(cmd, cwd=ROOT, timeout=TIMEOUT) -> str:
    """Runs a command; returns its output, failing with the output's tail."""
    proc = subprocess.run(
        cmd, cwd=cwd, env=tool_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f'{" ".join(map(str, cmd))} exited {proc.returncode}:\n'
        f'{proc.stdout[-6000:]}')
    return proc.stdout


def data_options(info: dict,
                 batch_size: int = 4,
                 splits=('train', 'val', 'test')) -> dict:
    """cfg-options pointing a synthetic config at a tiny video dataset."""
    opts = {}
    for split in splits:
        ann = info['train_ann'] if split == 'train' else info['val_ann']
        opts.update({
            f'{split}_dataloader.dataset.ann_file': ann,
            f'{split}_dataloader.dataset.data_prefix.video':
            info['video_dir'],
            f'{split}_dataloader.num_workers': 0,
            f'{split}_dataloader.persistent_workers': False,
            f'{split}_dataloader.batch_size': batch_size,
        })
    return opts


def cfg_options(opts: dict) -> list:
    return ['--cfg-options'] + [f'{k}={v}' for k, v in opts.items()]


def run_report(main, argv, out):
    """Runs a benchmark tool's ``main(argv + ['--out', out])`` here.

    Returns:
        tuple: The report ``main`` returned and the JSON file it wrote.
    """
    returned = main([*argv, '--out', str(out)])
    with open(out) as f:
        return returned, json.load(f)


def checked_json(report, command_start: str) -> dict:
    """The written JSON of a :func:`run_report` result, after checking that
    it is the returned report and that its ``meta.command`` starts with
    ``command_start``."""
    returned, written = report
    assert written == json.loads(json.dumps(returned, default=str))
    assert written['meta']['command'].startswith(command_start)
    return written
