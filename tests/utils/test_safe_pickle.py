# Copyright (c) hallucinet_mm contributors. All rights reserved.
import os
import pickle

import numpy as np
import pytest

from hallucinet_mm.utils import UnsafePickleError, safe_pickle_load


class _Custom:
    """A user class: unpickling it would import this test module."""

    def __init__(self, value):
        self.value = value


class _RunsCommand:
    """Unpickling it would call ``os.system``."""

    def __reduce__(self):
        return (os.system, ('echo pwned',))


def _dump(path, obj, protocol=pickle.HIGHEST_PROTOCOL):
    with open(path, 'wb') as f:
        pickle.dump(obj, f, protocol=protocol)
    return str(path)


@pytest.mark.parametrize('protocol', [0, 2, pickle.HIGHEST_PROTOCOL])
def test_plain_builtins_load(tmp_path, protocol):
    obj = {
        (1, 2): {
            'start_frame': 7377,
            'difficulty': 3.2,
            'armstand': 0,
            'name': 'dive',
            'flag': True,
            'none': None,
        },
        (3, 4): [1, 2.5, (5, 6)],
    }
    path = _dump(tmp_path / 'plain.pkl', obj, protocol)
    assert safe_pickle_load(path) == obj
    split = [(1, 2), (3, 4)]
    assert safe_pickle_load(_dump(tmp_path / 's.pkl', split, protocol)) \
        == split


@pytest.mark.parametrize('obj,refused', [
    (np.zeros(3), 'numpy'),
    (np.int64(3), 'numpy'),
    ({'difficulty': np.float64(3.2)}, 'numpy'),
    (_Custom(1), '_Custom'),
    (_RunsCommand(), 'system'),
    ({1, 2}, 'set'),
])
def test_refuses_globals(tmp_path, obj, refused):
    path = _dump(tmp_path / 'bad.pkl', obj, protocol=2)
    with pytest.raises(UnsafePickleError) as exc:
        safe_pickle_load(path)
    msg = str(exc.value)
    assert 'bad.pkl' in msg
    assert refused in msg


def test_refused_reduce_does_not_run(tmp_path, monkeypatch):
    path = _dump(tmp_path / 'evil.pkl', _RunsCommand())
    calls = []
    monkeypatch.setattr(os, 'system', lambda cmd: calls.append(cmd))
    with pytest.raises(UnsafePickleError, match=r'posix\.system|os\.system'):
        safe_pickle_load(path)
    assert calls == []


def test_bytes_with_protocol_3_or_more(tmp_path):
    obj = {'raw': b'\x00\x01'}
    assert safe_pickle_load(_dump(tmp_path / 'b.pkl', obj, 3)) == obj


def test_missing_and_corrupt_files(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pkl'):
        safe_pickle_load(tmp_path / 'nope.pkl')
    corrupt = tmp_path / 'corrupt.pkl'
    corrupt.write_bytes(b'\x80\x04\x95garbage')
    with pytest.raises(pickle.UnpicklingError, match='corrupt.pkl'):
        safe_pickle_load(corrupt)
