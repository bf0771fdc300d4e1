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
    for name in ('dist_train.sh', 'dist_test.sh', 'slurm_train.sh',
                 'slurm_test.sh'):
        with open(os.path.join(ROOT, 'tools', name)) as f:
            text = f.read()
        assert 'find_python.sh' in text, name
        assert '"${PYTHON}" -u' in text or '"$PYTHON" -m' in text, name
        assert 'python -u' not in text, name
