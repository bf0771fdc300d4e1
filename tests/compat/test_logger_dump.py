# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for hallucinet_mm/compat/logger_dump.py."""
import json
import types

import hallucinet_mm  # noqa: F401  (applies the fixes)
from hallucinet_mm import compat


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
