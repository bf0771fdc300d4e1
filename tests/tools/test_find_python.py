"""tools/*.sh pick $PYTHON, else the project's .venv python, else python."""
import os
import shutil
import subprocess

from tests.tools.tool_runner import ROOT


def _picked(root, env_python=None):
    env = {k: v for k, v in os.environ.items() if k != 'PYTHON'}
    if env_python:
        env['PYTHON'] = env_python
    out = subprocess.run(
        ['bash', '-c', 'source tools/find_python.sh && echo "$PYTHON"'],
        cwd=root, env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_find_python(tmp_path):
    (tmp_path / 'tools').mkdir()
    shutil.copy(os.path.join(ROOT, 'tools', 'find_python.sh'),
                tmp_path / 'tools')
    assert _picked(tmp_path) == 'python'
    venv_python = tmp_path / '.venv' / 'bin' / 'python'
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text('#!/bin/sh\n')
    venv_python.chmod(0o755)
    assert _picked(tmp_path) == str(venv_python)
    assert _picked(tmp_path, '/opt/py/bin/python3') == '/opt/py/bin/python3'


def test_every_launcher_uses_it():
    for name in ('dist_launch.sh', 'slurm_launch.sh'):
        with open(os.path.join(ROOT, 'tools', name)) as f:
            text = f.read()
        assert 'find_python.sh' in text, name
        assert '"${PYTHON}" -u' in text or '"$PYTHON" -m' in text, name
        assert 'python -u' not in text, name
    # The user-facing launchers run one of the two above.
    for name, body in (('dist_train.sh', 'dist_launch.sh" train.py 1 "$@"'),
                       ('dist_test.sh', 'dist_launch.sh" test.py 2 "$@"'),
                       ('slurm_train.sh', 'slurm_launch.sh" train.py 1 "$@"'),
                       ('slurm_test.sh', 'slurm_launch.sh" test.py 2 "$@"')):
        with open(os.path.join(ROOT, 'tools', name)) as f:
            assert body in f.read(), name


def test_launchers_pass_their_arguments_on(tmp_path):
    """Each launcher's command line, with $PYTHON (and srun) printing it."""
    echo = tmp_path / 'echo_args'
    echo.write_text('#!/usr/bin/env bash\nprintf "%s|" "$@"\n')
    echo.chmod(0o755)
    (tmp_path / 'srun').symlink_to(echo)
    env = dict(os.environ, PYTHON=str(echo), PORT='1234', NNODES='2',
               PATH=f'{tmp_path}{os.pathsep}{os.environ["PATH"]}')

    def argv(*cmd):
        return subprocess.run(['bash', *cmd], cwd=ROOT, env=env,
                              capture_output=True, text=True,
                              check=True).stdout.split('|')[:-1]

    dist = ['-m', 'torch.distributed.run', '--nnodes=2', '--node_rank=0',
            '--master_addr=127.0.0.1', '--nproc_per_node=3',
            '--master_port=1234']
    assert argv('tools/dist_train.sh', 'a b.py', '3', '--x', 'y z') == [
        *dist, 'tools/train.py', 'a b.py', '--launcher', 'pytorch', '--x',
        'y z']
    assert argv('tools/dist_test.sh', 'c.py', 'k.pth', '3', '--x') == [
        *dist, 'tools/test.py', 'c.py', 'k.pth', '--launcher', 'pytorch',
        '--x']
    srun = ['-p', 'part', '--job-name=job', '--gres=gpu:8', '--ntasks=8',
            '--ntasks-per-node=8', '--cpus-per-task=5', '--kill-on-bad-exit=1',
            str(echo), '-u']
    assert argv('tools/slurm_train.sh', 'part', 'job', 'c.py', '--x') == [
        *srun, 'tools/train.py', 'c.py', '--launcher=slurm', '--x']
    assert argv('tools/slurm_test.sh', 'part', 'job', 'c.py', 'k.pth') == [
        *srun, 'tools/test.py', 'c.py', 'k.pth', '--launcher=slurm']
