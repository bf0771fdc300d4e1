# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for hallucinet_mm/compat/missing_drn.py and ``apply_all``."""
import importlib.util
import subprocess
import sys
import types

import pytest

import hallucinet_mm  # noqa: F401  (applies the fixes)
from hallucinet_mm import compat
from hallucinet_mm.compat import MissingDRNError, missing_drn, patch_missing_drn
from tests.compat.child_env import subprocess_env

DRN = 'mmaction.models.localizers.drn'


def test_import_mmaction_models_after_plugin():
    """In a fresh interpreter, the plugin makes mmaction.models importable."""
    code = ('import hallucinet_mm, mmaction.models, sys\n'
            'from mmaction.registry import MODELS\n'
            'assert "Recognizer3D" in MODELS.module_dict\n'
            'hallucinet_mm.compat.apply_all()  # a second call logs nothing\n'
            f'print("drn-placeholder", {DRN!r} in sys.modules)\n')
    proc = subprocess.run([sys.executable, '-c', code],
                          env=subprocess_env(), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # One log line says the local checkpoint loader is replaced for the
    # whole process (issue 8 part 5).
    assert proc.stdout.count("mmengine's local checkpoint loader is "
                             'replaced for this whole process') == 1
    # The placeholder is there exactly when the wheel lacks the module.
    needed = not missing_drn._mmaction_has_drn()
    assert f'drn-placeholder {needed}' in proc.stdout


@pytest.mark.skipif(
    missing_drn._mmaction_has_drn(), reason='installed mmaction2 ships drn')
def test_mmaction_models_fails_without_plugin():
    """Documents why the fix exists: the wheel alone cannot be imported."""
    proc = subprocess.run([sys.executable, '-c', 'import mmaction.models'],
                          env=subprocess_env(), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0
    assert 'ModuleNotFoundError' in proc.stderr
    assert 'drn' in proc.stderr


def test_build_drn_raises_missing_drn_error():
    import mmaction.models  # noqa: F401
    from mmaction.registry import MODELS
    if missing_drn._mmaction_has_drn():
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
    monkeypatch.setattr(missing_drn, '_mmaction_has_drn', lambda: True)
    assert patch_missing_drn() is False
    assert DRN not in sys.modules
    assert DRN + '.drn' not in sys.modules
    assert MODELS.module_dict.get('DRN') is registered


def test_patch_missing_drn_installs_placeholder_in_fresh_state(monkeypatch):
    for name in [k for k in sys.modules if k.startswith(DRN)]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(missing_drn, '_mmaction_has_drn', lambda: False)
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
    assert missing_drn._mmaction_has_drn() is False
    drn_dir = tmp_path / 'models' / 'localizers' / 'drn'
    drn_dir.mkdir(parents=True)
    (drn_dir / 'drn.py').write_text('')
    assert missing_drn._mmaction_has_drn() is True

