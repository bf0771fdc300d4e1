# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""No Python file of the project is longer than 450 lines (issue 17): a
longer one does more than one job and is split by what it does."""
import os
import os.path as osp

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TREES = ('hallucinet_mm', 'tools', 'tests', 'configs', 'demo')
MAX_LINES = 450


def _python_files():
    for tree in TREES:
        for dirpath, _, files in os.walk(osp.join(ROOT, tree)):
            for name in files:
                if name.endswith('.py'):
                    yield osp.join(dirpath, name)


def _num_lines(path):
    with open(path, encoding='utf-8') as f:
        return sum(1 for _ in f)


def test_the_walk_finds_the_package_and_counts_lines(tmp_path):
    files = list(_python_files())
    assert osp.join(ROOT, 'hallucinet_mm', '__init__.py') in files
    assert len(files) > 100
    sample = tmp_path / 'three.py'
    sample.write_text('a = 1\nb = 2\nc = 3\n', encoding='utf-8')
    assert _num_lines(str(sample)) == 3


def test_no_python_file_is_longer_than_450_lines():
    too_long = {
        osp.relpath(p, ROOT): n
        for p in _python_files() if (n := _num_lines(p)) > MAX_LINES
    }
    assert not too_long, f'over {MAX_LINES} lines: {too_long}'
