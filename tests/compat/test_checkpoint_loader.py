# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for hallucinet_mm/compat/checkpoint_loader.py (safe loading)."""
import os
import pickle

import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import _load_checkpoint

import hallucinet_mm  # noqa: F401  (applies the fixes)
from hallucinet_mm.compat import UnsafeCheckpointError, safe_torch_load


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

