"""The built-in main job, end to end at a tiny size (1 seed, 1 epoch)."""
import json
import os.path as osp
import sys

from tests.tools.tool_runner import ROOT, run_tool


def test_demo_writes_table_json_and_plot(tmp_path):
    out = run_tool([
        sys.executable,
        osp.join(ROOT, 'tools', 'run_synthetic_demo.py'), '--work-dir',
        str(tmp_path), '--seeds', '0', '--teacher-epochs', '1',
        '--student-epochs', '1', '--videos-per-class-train', '2',
        '--videos-per-class-val', '1', '--latency-repeats', '2'
    ])
    # Progress lines for every stage, then the table.
    assert '[1/8] make synthetic videos' in out
    assert '[8/8] measure CPU latency' in out
    assert 'HalluciNet accuracy (1 frame)' in out
    results = json.load(open(tmp_path / 'results.json'))
    (run, ) = results['runs']
    for key in ('teacher_acc', 'vanilla_acc', 'hallucinet_acc'):
        assert 0.0 <= run[key] <= 1.0
    assert run['hallu_loss_x1e3'] > 0
    latency = results['latency']
    assert latency['ratio'] == latency['student_ms'] / latency['teacher_ms']
    assert set(results['table']) >= {
        'teacher accuracy (3D, 16 frames)', 'student / teacher latency'
    }
    assert osp.getsize(tmp_path / 'training_curves.png') > 10_000
    assert (tmp_path / 'results.md').read_text().startswith('HalluciNet on')
