"""tools/analysis/int8_accuracy.py on the tiny student (real videos)."""
import json

import pytest

from tests.deployment.student_fixtures import tiny_student  # noqa: F401

pytest.importorskip('onnxruntime')


def test_three_back_ends_side_by_side(tiny_student, tmp_path):
    from tools.analysis import int8_accuracy
    out = tmp_path / 'acc.json'
    report = int8_accuracy.main([
        tiny_student['config'], '--checkpoints', tiny_student['checkpoint'],
        tiny_student['checkpoint'], '--names', 'seed0', 'seed1',
        '--work-dir', str(tmp_path / 'onnx'), '--check-split', 'test',
        '--calib-videos', '2', '--out', str(out)
    ])
    with open(out) as f:
        data = json.load(f)
    assert data['summary'] == report['summary']
    runs = data['runs']
    assert [r['name'] for r in runs] == ['seed0', 'seed1']
    for run in runs:
        assert run['num_videos'] == 1  # the tiny test list
        assert set(run['top1']) == {'pytorch', 'onnx_fp32', 'onnx_int8'}
        # ONNX float32 is PyTorch to 1e-4: the same top-1.
        assert run['top1']['onnx_fp32'] == run['top1']['pytorch']
        assert run['int8_minus_fp32'] == pytest.approx(
            run['top1']['onnx_int8'] - run['top1']['onnx_fp32'])
        assert 0 <= run['int8_fp32_agreement'] <= 1
        assert run['export_max_abs_diff'] < 1e-4
        assert run['quantize_check']['calib_videos'] == 2
        assert (tmp_path / 'onnx' / f'{run["name"]}_int8.onnx').is_file()
    summary = data['summary']
    assert summary['top1_onnx_int8']['mean'] == pytest.approx(
        sum(r['top1']['onnx_int8'] for r in runs) / 2)
    assert summary['top1_pytorch']['std'] == 0.0  # the same checkpoint
    assert 'mean of 2' in data['table'] and 'onnx_int8' in data['table']
    assert data['meta']['cpu'] and 'int8_accuracy.py' in data['meta'][
        'command']


def test_names_must_match_checkpoints():
    from tools.analysis import int8_accuracy
    with pytest.raises(SystemExit):
        int8_accuracy.parse_args([
            'c.py', '--checkpoints', 'a.pth', 'b.pth', '--names', 'a',
            '--work-dir', 'w'
        ])


def test_summarize_means_and_stds():
    from tools.analysis.int8_accuracy import summarize
    runs = [
        dict(top1=dict(pytorch=0.5, onnx_fp32=0.5, onnx_int8=0.4),
             int8_minus_fp32=-0.1, int8_fp32_agreement=0.9,
             max_abs_logit_diff=0.2),
        dict(top1=dict(pytorch=0.7, onnx_fp32=0.7, onnx_int8=0.7),
             int8_minus_fp32=0.0, int8_fp32_agreement=1.0,
             max_abs_logit_diff=0.3)
    ]
    summary = summarize(runs)
    assert summary['top1_pytorch']['mean'] == pytest.approx(0.6)
    assert summary['top1_pytorch']['std'] == pytest.approx(0.1414, abs=1e-4)
    assert summary['int8_minus_fp32']['mean'] == pytest.approx(-0.05)
    assert summary['max_abs_logit_diff'] == 0.3
