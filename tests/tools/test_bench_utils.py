# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for the benchmark helpers (tools/analysis/bench_utils.py)."""
import json
import os.path as osp
import subprocess
import sys
import textwrap

import pytest

from tools.analysis.bench_utils import (finish_report, format_table,
                                        run_metadata, summarize_times)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_summarize_times_in_ms():
    stats = summarize_times([0.001 * i for i in range(1, 11)])
    assert stats['median_ms'] == pytest.approx(5.5)
    assert stats['p90_ms'] == pytest.approx(9.1)
    assert (stats['min_ms'], stats['max_ms']) == pytest.approx((1.0, 10.0))
    assert stats['total_s'] == pytest.approx(0.055)
    assert stats['repeats'] == 10
    with pytest.raises(ValueError, match='no timings'):
        summarize_times([])


def test_format_table_aligns_columns():
    text = format_table(['model', 'ms'], [['a', '1.50'], ['teacher', '12']])
    lines = text.splitlines()
    assert lines[0] == 'model      ms'
    assert set(lines[1]) == {'-'} and len(lines[1]) == len(lines[0])
    assert lines[2] == 'a        1.50'
    assert lines[3] == 'teacher    12'


def test_run_metadata_and_report(tmp_path):
    meta = run_metadata(osp.join(ROOT, 'tools/analysis/x.py'), ['--a', 'b c'],
                        'cpu')
    assert meta['command'].endswith("tools/analysis/x.py --a 'b c'")
    assert meta['device_name'] == meta['cpu'] and meta['cpu']
    assert 'PyTorch' in meta['env'] and 'MMEngine' in meta['env']
    out = tmp_path / 'sub' / 'r.json'
    finish_report(dict(meta=meta), str(out))
    written = json.loads(out.read_text())
    assert written['meta']['command'] == meta['command']
    assert 'load_average_at_end' in written['meta']


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='VmHWM')
def test_memory_probe_sees_a_known_allocation():
    # In a fresh process: in the test process, earlier tests' freed heap can
    # absorb the allocation.
    # The module alone, without the package's imports (faster).
    code = textwrap.dedent("""
        import importlib.util, json, numpy as np
        spec = importlib.util.spec_from_file_location(
            'benchmark', 'tools/analysis/bench_utils.py')
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        probe = module.MemoryProbe('cpu')
        probe.start()
        block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
        print(json.dumps(probe.stop()))
    """)
    out = subprocess.run([sys.executable, '-c', code], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    mem = json.loads(out.stdout.strip().splitlines()[-1])
    assert mem['method'].startswith('VmHWM')
    assert 60 < mem['increase_mib'] < 100
    assert mem['peak_mib'] >= mem['increase_mib']
