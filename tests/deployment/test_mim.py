"""mim search / test / train on hallucinet_mm (README deploy section).

mim finds a package's configs, tools and model-index.yml under
``<installed package>/.mim``, which ``setup.py`` fills on a regular (not
editable) install; the package is installed here into a temporary target
from a copy of the checkout.
"""
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.deployment.student_fixtures import ROOT, run_cli
from tools.deployment import generate_model_index

SOURCES = ('setup.py', 'MANIFEST.in', 'README.md', 'model-index.yml',
           'requirements', 'configs', 'tools', 'demo', 'hallucinet_mm')


def test_model_index_lists_every_config():
    with open(osp.join(ROOT, 'model-index.yml')) as f:
        index = yaml.safe_load(f)
    listed = [m['Config'] for m in index['Models']]
    missing = [p for p in listed if not osp.isfile(osp.join(ROOT, p))]
    assert not missing, (f'model-index.yml lists missing configs {missing}: '
                         'run python tools/deployment/generate_model_index.py')
    assert sorted(listed) == generate_model_index.experiment_configs(), (
        'model-index.yml is out of date: run python '
        'tools/deployment/generate_model_index.py')
    assert generate_model_index.main(['--check']) == 0


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """hallucinet_mm installed (not editable) into a target folder."""
    pytest.importorskip('mim')
    src = tmp_path_factory.mktemp('src')
    ignore = shutil.ignore_patterns('__pycache__', '.mim', '*.egg-info')
    for name in SOURCES:
        path = osp.join(ROOT, name)
        if osp.isdir(path):
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy(path, src / name)
    target = tmp_path_factory.mktemp('site')
    subprocess.run([
        sys.executable, '-m', 'pip', 'install', '-q', '--no-deps',
        '--no-build-isolation', '--no-compile', '--target',
        str(target), '.'
    ], cwd=src, check=True, capture_output=True)
    assert osp.isfile(target / 'hallucinet_mm' / '.mim' / 'model-index.yml')
    assert not osp.exists(target / 'tools')  # not a package of the wheel
    return dict(PYTHONPATH=str(target))


def _mim(env, *args, check=True):
    mim = osp.join(osp.dirname(sys.executable), 'mim')
    if check:
        return run_cli([mim, *args], env=env, timeout=300)
    return subprocess.run([mim, *args], env={**os.environ, **env},
                          cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)


def test_mim_search(installed):
    out = _mim(installed, 'search', 'hallucinet_mm')
    with open(osp.join(ROOT, 'model-index.yml')) as f:
        names = [m['Name'] for m in yaml.safe_load(f)['Models']]
    assert [n for n in names if f'config id: {n}\n' not in out] == []


def test_mim_test_and_train(installed, tiny_student, tmp_path):
    out = _mim(installed, 'test', 'hallucinet_mm', tiny_student['config'],
               '--checkpoint', tiny_student['checkpoint'], '--work-dir',
               str(tmp_path / 'test'))
    assert 'acc/top1' in out and 'Testing finished successfully' in out
    # Training keeps its strict teacher check: it fails before training.
    failed = _mim(installed, 'train', 'hallucinet_mm',
                  tiny_student['config'], '--work-dir',
                  str(tmp_path / 'strict'), check=False)
    assert failed.returncode != 0
    assert 'no_such_teacher.pth' in failed.stdout
    assert not osp.exists(tmp_path / 'strict' / 'epoch_1.pth')
    # The vanilla student trains.
    out = _mim(installed, 'train', 'hallucinet_mm', tiny_student['config'],
               '--work-dir', str(tmp_path / 'train'), '--cfg-options',
               'model.teacher=None', 'model.hallu_head=None',
               'model.backbone.weights=None')
    assert 'Training finished successfully' in out
    assert osp.isfile(tmp_path / 'train' / 'epoch_1.pth')
