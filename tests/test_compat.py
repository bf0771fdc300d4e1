"""Tests for hallucinet_mm/compat.py (the dependency-stack fixes)."""
import importlib.util
import os
import os.path as osp
import pickle
import pickletools
import socket
import subprocess
import sys
import types
import zipfile

import numpy as np
import pytest
import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import _load_checkpoint

import hallucinet_mm  # noqa: F401  (applies the fixes)
from hallucinet_mm import compat
from hallucinet_mm.compat import (MissingDRNError, UnsafeCheckpointError,
                                  history_buffer_getattr, patch_missing_drn,
                                  safe_torch_load, setup_cpu_distributed)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DRN = 'mmaction.models.localizers.drn'


def _subprocess_env():
    env = dict(os.environ)
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    env['OMP_NUM_THREADS'] = '1'
    return env


def _pickle_globals(path):
    """The GLOBAL opcodes' arguments in a torch zip checkpoint's data.pkl."""
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.endswith('data.pkl'))
        data = zf.read(name)
    found = []
    for op, arg, _ in pickletools.genops(data):
        if op.name == 'GLOBAL':
            found.append(arg)
    return found


# ---------------------------------------------------------------- DRN fix


def test_import_mmaction_models_after_plugin():
    """In a fresh interpreter, the plugin makes mmaction.models importable."""
    code = ('import hallucinet_mm, mmaction.models, sys\n'
            'from mmaction.registry import MODELS\n'
            'assert "Recognizer3D" in MODELS.module_dict\n'
            'hallucinet_mm.compat.apply_all()  # a second call logs nothing\n'
            f'print("drn-placeholder", {DRN!r} in sys.modules)\n')
    proc = subprocess.run([sys.executable, '-c', code],
                          env=_subprocess_env(), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # One log line says the local checkpoint loader is replaced for the
    # whole process (issue 8 part 5).
    assert proc.stdout.count("mmengine's local checkpoint loader is "
                             'replaced for this whole process') == 1
    # The placeholder is there exactly when the wheel lacks the module.
    needed = not compat._mmaction_has_drn()
    assert f'drn-placeholder {needed}' in proc.stdout


@pytest.mark.skipif(
    compat._mmaction_has_drn(), reason='installed mmaction2 ships drn')
def test_mmaction_models_fails_without_plugin():
    """Documents why the fix exists: the wheel alone cannot be imported."""
    proc = subprocess.run([sys.executable, '-c', 'import mmaction.models'],
                          env=_subprocess_env(), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0
    assert 'ModuleNotFoundError' in proc.stderr
    assert 'drn' in proc.stderr


def test_build_drn_raises_missing_drn_error():
    import mmaction.models  # noqa: F401
    from mmaction.registry import MODELS
    if compat._mmaction_has_drn():
        pytest.skip('installed mmaction2 ships a real DRN')
    with pytest.raises(MissingDRNError) as info:
        MODELS.build(dict(type='DRN'))
    msg = str(info.value)
    assert 'DRN is not available' in msg
    assert 'mmaction/models/localizers/drn' in msg
    assert '2714' in msg
    # MissingDRNError is an ImportError, so `except ImportError` catches it.
    assert isinstance(info.value, ImportError)
    # The upstream import path resolves to the same placeholder.
    from mmaction.models.localizers import DRN as placeholder
    with pytest.raises(MissingDRNError):
        placeholder()


def test_patch_missing_drn_is_idempotent():
    modules_before = {k: v for k, v in sys.modules.items()
                      if k.startswith(DRN)}
    assert patch_missing_drn() is False
    assert patch_missing_drn() is False
    assert {k: v for k, v in sys.modules.items()
            if k.startswith(DRN)} == modules_before
    compat.apply_all()  # also a no-op the second time
    assert compat._APPLIED is True


def test_patch_missing_drn_noop_when_real_drn_exists(monkeypatch):
    from mmaction.registry import MODELS
    # A fresh state: no drn module imported yet ...
    for name in [k for k in sys.modules if k.startswith(DRN)]:
        monkeypatch.delitem(sys.modules, name)
    registered = MODELS.module_dict.get('DRN')
    # ... and an mmaction that ships the real module.
    monkeypatch.setattr(compat, '_mmaction_has_drn', lambda: True)
    assert patch_missing_drn() is False
    assert DRN not in sys.modules
    assert DRN + '.drn' not in sys.modules
    assert MODELS.module_dict.get('DRN') is registered


def test_patch_missing_drn_installs_placeholder_in_fresh_state(monkeypatch):
    for name in [k for k in sys.modules if k.startswith(DRN)]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(compat, '_mmaction_has_drn', lambda: False)
    assert patch_missing_drn() is True
    try:
        package, module = sys.modules[DRN], sys.modules[DRN + '.drn']
        assert package.drn is module
        with pytest.raises(MissingDRNError, match='issue 2714'):
            module.DRN()
        assert patch_missing_drn() is False  # second call: no-op
    finally:
        sys.modules.pop(DRN, None)
        sys.modules.pop(DRN + '.drn', None)


def test_mmaction_has_drn_looks_at_files(monkeypatch, tmp_path):
    real_find_spec = importlib.util.find_spec

    def fake_find_spec(name, *args, **kwargs):
        if name == 'mmaction':
            return types.SimpleNamespace(
                submodule_search_locations=[str(tmp_path)])
        return real_find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, 'find_spec', fake_find_spec)
    assert compat._mmaction_has_drn() is False
    drn_dir = tmp_path / 'models' / 'localizers' / 'drn'
    drn_dir.mkdir(parents=True)
    (drn_dir / 'drn.py').write_text('')
    assert compat._mmaction_has_drn() is True


# ------------------------------------------------------ safe checkpoints


@pytest.fixture
def load_spy(monkeypatch):
    """Records the keyword arguments of every torch.load call."""
    calls = []
    real_load = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, 'load', spy)
    return calls


def _mmengine_like_checkpoint(path):
    """What mmengine's Runner.save_checkpoint writes, in miniature."""
    hub = MessageHub.get_instance('test_compat_checkpoint')
    hub.update_scalar('train/loss', 1.5)
    hub.update_scalar('train/loss', np.float64(0.5))
    hub.update_scalar('train/top1_acc', np.float32(0.25))
    hub.update_info('epoch', 2)
    hub.update_info('iter', 6)
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.Adam(model.parameters())
    model(torch.ones(1, 3)).sum().backward()
    optimizer.step()
    checkpoint = {
        'meta': {
            'epoch': 2,
            'iter': 6,
            'seed': np.int64(0),
            'experiment_name': 'demo',
            'dataset_meta': {'classes': ('a', 'b')},
            'mean': np.array([114.7748, 107.7354, 99.4750]),
        },
        'state_dict': model.state_dict(),
        'message_hub': hub.state_dict(),
        'optimizer': optimizer.state_dict(),
    }
    torch.save(checkpoint, path)
    return checkpoint


def test_mmengine_checkpoint_loads_with_weights_only(tmp_path, load_spy):
    path = str(tmp_path / 'epoch_2.pth')
    saved = _mmengine_like_checkpoint(path)
    # The file exercises every allow-listed kind, the getattr stand-in too.
    found = ' '.join(_pickle_globals(path))
    for name in ('HistoryBuffer', 'ndarray', '_reconstruct', 'scalar',
                 'getattr'):
        assert name in found
    assert HistoryBuffer in torch.serialization.get_safe_globals()
    # Without the allow-list (plain torch), the safe loader refuses the file.
    code = f'import torch; torch.load({path!r}, weights_only=True)'
    proc = subprocess.run([sys.executable, '-c', code],
                          env=_subprocess_env(), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0
    assert 'Unsupported global' in proc.stderr

    loaded = _load_checkpoint(path, map_location='cpu')
    assert load_spy and all(c.get('weights_only') is True for c in load_spy)
    assert loaded['meta']['epoch'] == 2 and loaded['meta']['iter'] == 6
    assert loaded['meta']['seed'] == 0
    np.testing.assert_allclose(loaded['meta']['mean'], saved['meta']['mean'])
    for key, value in saved['state_dict'].items():
        assert torch.equal(loaded['state_dict'][key], value)
    assert loaded['optimizer']['state'][0]['step'] == 1
    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == pytest.approx(1.0)
    assert buffer.statistics('max') == pytest.approx(1.5)
    assert buffer.current() == pytest.approx(0.5)
    # A MessageHub accepts the loaded state, as Runner.resume does.
    hub = MessageHub.get_instance('test_compat_checkpoint_resumed')
    hub.load_state_dict(loaded['message_hub'])
    assert hub.get_info('iter') == 6
    assert hub.get_scalar('train/top1_acc').current() == pytest.approx(0.25)


class _Marker:
    """An arbitrary class: not on the allow-list."""

    def __init__(self):
        self.value = 1


class _SystemPayload:
    """Pickles as ``os.system(command)``."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command, ))


class _GetattrPayload:
    """Pickles as ``getattr(obj, name)``."""

    def __init__(self, obj, name):
        self.obj, self.name = obj, name

    def __reduce__(self):
        return (getattr, (self.obj, self.name))


def test_os_system_payload_is_refused_and_not_run(tmp_path):
    marker = tmp_path / 'pwned'
    command = f'touch {marker}'
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {'w': torch.ones(1)},
                'meta': _SystemPayload(command)}, path)

    with pytest.raises(UnsafeCheckpointError) as info:
        _load_checkpoint(path, map_location='cpu')
    assert not marker.exists()
    msg = str(info.value)
    assert path in msg
    assert 'Refusing to load checkpoint' in msg
    assert 'allow-list' in msg and 'arbitrary code' in msg
    # ... and names what was refused (not just torch's generic first line).
    assert f'GLOBAL {os.system.__module__}.system' in msg
    assert isinstance(info.value, pickle.UnpicklingError)

    # Control: the payload is real (unsafe loading runs it).
    torch.load(path, weights_only=False)
    assert marker.exists()


def test_arbitrary_class_is_refused(tmp_path):
    path = str(tmp_path / 'custom.pth')
    torch.save({'state_dict': {}, 'extra': _Marker()}, path)
    with pytest.raises(UnsafeCheckpointError) as info:
        safe_torch_load(path)
    msg = str(info.value)
    assert path in msg
    assert '_Marker' in msg


def test_getattr_payload_is_refused(tmp_path):
    ok = str(tmp_path / 'ok.pth')
    torch.save({'m': _GetattrPayload(HistoryBuffer, 'mean')}, ok)
    assert safe_torch_load(ok)['m'] is HistoryBuffer.mean

    bad = str(tmp_path / 'bad.pth')
    torch.save({'m': _GetattrPayload(HistoryBuffer, '__init__')}, bad)
    with pytest.raises(UnsafeCheckpointError) as info:
        safe_torch_load(bad)
    assert "getattr(<class 'mmengine.logging.history_buffer.HistoryBuffer'>"\
        ", '__init__') is not allowed" in str(info.value)


def test_missing_checkpoint_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        _load_checkpoint(str(tmp_path / 'nope.pth'))


@pytest.mark.parametrize('obj, name', [
    (HistoryBuffer, '__init__'),
    (HistoryBuffer, '__class__'),
    (HistoryBuffer, '_set_default_statistics'),
    (HistoryBuffer, 'no_such_method'),
    (HistoryBuffer, 'max_length'),  # not a method (not even present)
    (os, 'system'),
    (os, 'mean'),
    (sys, 'modules'),
    (HistoryBuffer(), 'mean'),  # an instance, not the class
])
def test_history_buffer_getattr_refuses(obj, name):
    with pytest.raises(pickle.UnpicklingError, match='is not allowed'):
        history_buffer_getattr(obj, name)


@pytest.mark.parametrize('name', ['min', 'max', 'mean', 'current',
                                  'statistics', 'update'])
def test_history_buffer_getattr_allows_methods(name):
    assert history_buffer_getattr(HistoryBuffer, name) is getattr(
        HistoryBuffer, name)


def test_allow_list_contents():
    allowed = compat.mmengine_checkpoint_types()
    assert HistoryBuffer in allowed and np.ndarray in allowed
    assert not any(a in allowed for a in (getattr, os.system, eval, exec))


# ------------------------------------------------------ CPU distributed


_DIST_VARS = ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    for key in _DIST_VARS:
        monkeypatch.delenv(key, raising=False)


def test_setup_cpu_distributed_none_launcher(no_cuda):
    cfg = Config(dict(model=dict(type='X')))
    before = cfg.to_dict()
    assert setup_cpu_distributed(cfg, 'none') is False
    assert cfg.to_dict() == before
    assert 'model_wrapper_cfg' not in cfg
    assert not dist.is_initialized()


def test_setup_cpu_distributed_with_cuda_is_noop(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    cfg = Config(dict(model=dict(type='X')))
    assert setup_cpu_distributed(cfg, 'pytorch') is False
    assert 'model_wrapper_cfg' not in cfg


@pytest.mark.parametrize('missing', _DIST_VARS)
def test_setup_cpu_distributed_names_missing_variable(
        no_cuda, monkeypatch, missing):
    values = dict(RANK='0', WORLD_SIZE='1', MASTER_ADDR='127.0.0.1',
                  MASTER_PORT='29999')
    for key, value in values.items():
        if key != missing:
            monkeypatch.setenv(key, value)
    cfg = Config(dict(model=dict(type='X')))
    with pytest.raises(RuntimeError) as info:
        setup_cpu_distributed(cfg, 'pytorch')
    assert f'the {missing} environment variable' in str(info.value)
    assert 'torchrun' in str(info.value)
    assert not dist.is_initialized()
    assert 'model_wrapper_cfg' not in cfg


def test_setup_cpu_distributed_refuses_slurm(no_cuda):
    with pytest.raises(RuntimeError, match='slurm'):
        setup_cpu_distributed(Config(dict()), 'slurm')


def test_setup_cpu_distributed_single_process_gloo(no_cuda, monkeypatch):
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    for key, value in dict(RANK='0', WORLD_SIZE='1', MASTER_ADDR='127.0.0.1',
                           MASTER_PORT=str(port)).items():
        monkeypatch.setenv(key, value)
    assert not dist.is_initialized()
    cfg = Config(dict(model=dict(type='X')))
    try:
        assert setup_cpu_distributed(cfg, 'pytorch') is True
        assert dist.is_initialized()
        assert dist.get_backend() == 'gloo'
        assert dist.get_world_size() == 1
        assert cfg.model_wrapper_cfg == dict(
            type='MMDistributedDataParallel', device_ids=None)
        # Already initialised: an existing wrapper config keeps its type and
        # options, only device_ids is cleared.
        cfg2 = Config(dict(model_wrapper_cfg=dict(
            type='MMSeparateDistributedDataParallel',
            find_unused_parameters=True, device_ids=[0])))
        assert setup_cpu_distributed(cfg2, 'pytorch') is True
        assert cfg2.model_wrapper_cfg == dict(
            type='MMSeparateDistributedDataParallel',
            find_unused_parameters=True, device_ids=None)
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def _run_test_epoch_logging(tmp_path, monkeypatch, rank):
    """LoggerHook.after_test_epoch as rank ``rank`` would run it."""
    from mmengine import dist as mmdist
    from mmengine.hooks import LoggerHook
    monkeypatch.setattr(mmdist, 'is_main_process', lambda: rank == 0)
    runner = types.SimpleNamespace(
        log_dir=str(tmp_path), timestamp='20261130_000000',
        test_dataloader=[0, 1],
        logger=types.SimpleNamespace(info=lambda msg: None),
        log_processor=types.SimpleNamespace(
            get_log_after_epoch=lambda *a, **k: (
                {'acc/top1': 0.25, 'time': 0.1 + rank}, 'test done')))
    hook = LoggerHook()
    hook.before_run(runner)
    hook.after_test_epoch(runner)
    return tmp_path / '20261130_000000.json'


def test_test_metrics_json_written_by_rank_zero(tmp_path, monkeypatch):
    path = _run_test_epoch_logging(tmp_path, monkeypatch, rank=0)
    import json
    assert json.loads(path.read_text()) == {'acc/top1': 0.25, 'time': 0.1}


def test_test_metrics_json_not_written_by_other_ranks(tmp_path, monkeypatch):
    # mmengine writes it from every rank to one path; two ranks racing left
    # a damaged file ('{...}}') in a 2-process CI run.
    path = _run_test_epoch_logging(tmp_path, monkeypatch, rank=1)
    assert not path.exists()


def test_write_test_metrics_once_is_idempotent():
    from mmengine.hooks import logger_hook
    wrapped = logger_hook.dump
    assert wrapped.writes_on_main_process_only
    assert compat.write_test_metrics_once() is False
    assert logger_hook.dump is wrapped
    # Returning the text (no file) is unchanged on every rank.
    assert wrapped({'a': 1}, file_format='json') == '{"a": 1}'
