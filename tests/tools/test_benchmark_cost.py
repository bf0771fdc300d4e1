# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for tools/analysis/benchmark_cost.py, at tiny sizes (the numbers
are not the real costs)."""
import json
import sys

import pytest
import torch

from tests.tools.tool_runner import run_report
from tools.analysis.benchmark_cost import (MODELS_MEASURED, TARGET, TEACHER,
                                           build_model, export_onnx,
                                           input_shape, main,
                                           measure_isolated, onnx_runtimes)

STUDENT = 'mobilenet_v3_small@224'
TINY = ['--tiny', '--repeats', '2', '--warmup', '1', '--threads', '1',
        '--device', 'cpu', '--no-isolate']
HALLU_PARAMS = 576 * 2048 + 2048  # Linear(576, 2048) of the hallu head


def run_main(tmp_path, *args):
    """Runs the script in this process; returns (report, written JSON)."""
    threads = torch.get_num_threads()
    try:
        return run_report(main, TINY + list(args), tmp_path / 'cost.json')
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    """One tiny PyTorch run: teacher, a student, the student + hallu."""
    return run_main(tmp_path_factory.mktemp('cost'), '--runtimes', 'pytorch',
                    '--models', STUDENT + '+hallu', STUDENT, TEACHER)


def test_models_and_input_shapes():
    assert MODELS_MEASURED[0] == TEACHER and len(MODELS_MEASURED) == 13
    assert input_shape(TEACHER) == (1, 3, 16, 112, 112)
    assert input_shape('vgg11_bn@112+hallu') == (1, 1, 3, 112, 112)
    assert input_shape(STUDENT, tiny=True) == (1, 1, 3, 32, 32)


def test_students_come_from_the_shipped_configs():
    model, desc = build_model(STUDENT, tiny=True)
    assert 'configs/ucf101/hallucinet_mobilenetv3-small_resnext101-k400_' \
        '1xb25-1x1x1-50e_ucf101.py' in desc
    assert type(model).__name__ == 'StudentExportWrapper'
    assert model.model.teacher is None and not model.model.with_hallu_head
    logits = model(torch.zeros(input_shape(STUDENT, tiny=True)))
    assert logits.shape == (1, 101)


def test_report_json_and_ratios(report):
    returned, data = report
    assert data == json.loads(json.dumps(returned, default=str))
    meta = data['meta']
    assert '--tiny' in meta['command'] and meta['threads'] == 1
    assert meta['env']['PyTorch'] == torch.__version__  # collect_env
    assert meta['load_average_at_end'] is not None
    results = data['models']['results']
    assert list(results) == [  # the teacher first
        f'{TEACHER}/pytorch', f'{STUDENT}+hallu/pytorch', f'{STUDENT}/pytorch'
    ]
    teacher, hallu, student = results.values()
    assert teacher['teacher'] and 'depth=50' in teacher['description']
    assert teacher['ratio_to_teacher']['latency_median'] == 1.0
    assert hallu['params'] == student['params'] + HALLU_PARAMS
    assert hallu['flops'] >= student['flops'] + 576 * 2048  # its MACs
    for row in results.values():
        assert row['latency']['repeats'] == 2
        assert row['latency']['median_ms'] > 0
        assert row['memory']['increase_mib'] >= 0
        assert row['gflops'] == pytest.approx(row['flops'] / 1e9)
        ratio = row['ratio_to_teacher']
        assert ratio['flops'] == pytest.approx(row['flops'] /
                                               teacher['flops'])
        assert ratio['latency_same_runtime'] == pytest.approx(
            row['latency']['median_ms'] / teacher['latency']['median_ms'])
    assert data['models']['target'] is None  # no ONNX row was measured


def test_onnx_runtime_rows_beside_pytorch(tmp_path):
    pytest.importorskip('onnxruntime')
    _, data = run_main(tmp_path, '--models', TEACHER, STUDENT)
    results = data['models']['results']
    assert list(results) == [
        f'{TEACHER}/pytorch', f'{TEACHER}/onnxruntime', f'{STUDENT}/pytorch',
        f'{STUDENT}/onnxruntime'
    ]
    fastest = min(results[f'{TEACHER}/{rt}']['latency']['median_ms']
                  for rt in ('pytorch', 'onnxruntime'))
    for key in (f'{TEACHER}/onnxruntime', f'{STUDENT}/onnxruntime'):
        assert results[key]['onnx_max_abs_diff'] < 1e-3, key
    row = results[TARGET['row']]
    assert row['params'] == results[f'{STUDENT}/pytorch']['params']
    ratio = row['latency']['median_ms'] / fastest
    assert row['ratio_to_teacher']['latency_median'] == pytest.approx(ratio)
    target = data['models']['target']
    assert target['ratio'] == pytest.approx(ratio)
    assert target['met'] == (ratio <= 0.015)


def test_hallu_models_are_not_exported(tmp_path):
    model, _ = build_model(STUDENT + '+hallu', tiny=True)
    logits, phi_s = model(torch.zeros(input_shape(STUDENT, tiny=True)))
    assert logits.shape == (1, 101) and phi_s.shape == (1, 2048)
    with pytest.raises(ValueError, match='PyTorch only'):
        export_onnx(model, torch.zeros(1), str(tmp_path / 'x.onnx'))


def test_onnx_rows_skipped_without_onnxruntime(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, 'onnxruntime', None)  # import fails
    assert onnx_runtimes(['pytorch', 'onnxruntime'], 'cpu') == ['pytorch']
    assert 'ONNX Runtime rows are skipped' in capsys.readouterr().out


def test_isolated_measurement_runs_in_a_fresh_process():
    res = measure_isolated(TEACHER, runtime='pytorch', repeats=1, warmup=0,
                           threads=1, tiny=True)
    assert res['name'] == TEACHER and res['input_shape'] == [1, 3, 4, 32, 32]
    assert res['memory']['peak_mib'] > 0


def test_bad_arguments_name_the_option(capsys):
    with pytest.raises(SystemExit):
        main(['--models', 'alexnet'])
    assert '--models' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(['--repeats', '0'])
    assert '--repeats' in capsys.readouterr().err


def test_int8_rows_beside_the_float32_ones(tmp_path):
    pytest.importorskip('onnxruntime')
    from tools.analysis.benchmark_cost import INT8_TARGET
    _, data = run_main(tmp_path, '--models', TEACHER, STUDENT, '--runtimes',
                       'onnxruntime', 'onnxruntime-int8')
    results = data['models']['results']
    assert list(results) == [  # the same process order as the teacher's
        f'{TEACHER}/onnxruntime', f'{TEACHER}/onnxruntime-int8',
        f'{STUDENT}/onnxruntime', f'{STUDENT}/onnxruntime-int8'
    ]
    teacher, teacher8, student, student8 = results.values()
    assert student8['params'] == student['params']
    assert student8['onnx_max_abs_diff'] > 0  # quantized, not the fp32 file
    ratio = student8['ratio_to_teacher']
    assert ratio['latency_median'] == pytest.approx(  # float32 teacher
        student8['latency']['median_ms'] / teacher['latency']['median_ms'])
    assert ratio['latency_same_runtime'] == pytest.approx(
        student8['latency']['median_ms'] / teacher8['latency']['median_ms'])
    target = data['models']['int8_target']
    assert target['row'] == f'{STUDENT}/onnxruntime-int8'
    assert target['reference'] == INT8_TARGET['reference']
    assert target['ratio'] == pytest.approx(ratio['latency_median'])
    assert target['ratio_to_int8_teacher'] == pytest.approx(
        ratio['latency_same_runtime'])
    assert target['met'] == (target['ratio'] <= 0.005)
    flags = data['meta']['cpu_isa_flags']
    assert set(flags) >= {'avx2', 'avx512f', 'avx512_vnni'}
    assert all(isinstance(v, bool) for v in flags.values())


def test_int8_teacher_row_can_be_left_out(tmp_path):
    pytest.importorskip('onnxruntime')
    _, data = run_main(tmp_path, '--models', TEACHER, STUDENT, '--runtimes',
                       'pytorch', 'onnxruntime-int8', '--no-int8-teacher')
    results = data['models']['results']
    assert list(results) == [
        f'{TEACHER}/pytorch', f'{STUDENT}/pytorch',
        f'{STUDENT}/onnxruntime-int8'
    ]
    # No float32 ONNX Runtime teacher: no INT8 target, and the INT8 row's
    # ratio is to the PyTorch teacher, with no same-runtime teacher.
    assert data['models']['int8_target'] is None
    ratio = results[f'{STUDENT}/onnxruntime-int8']['ratio_to_teacher']
    assert ratio['latency_same_runtime'] is None
