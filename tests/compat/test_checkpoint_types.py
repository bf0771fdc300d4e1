# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for hallucinet_mm/compat/checkpoint_types.py (the allow-list)."""
import os
import pickle
import pickletools
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import _load_checkpoint

import hallucinet_mm  # noqa: F401  (applies the fixes)
from hallucinet_mm import compat
from hallucinet_mm.compat import history_buffer_getattr
from tests.compat.child_env import subprocess_env


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
                          env=subprocess_env(), capture_output=True,
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

