"""tools/deployment/quantize_onnx.py on the tiny student and real videos,
and the whole path train -> export -> quantize -> demo."""
import contextlib
import io
import re
import sys

import numpy as np
import pytest

from hallucinet_mm.deployment import read_onnx_metadata
from tests.deployment.student_fixtures import LABELS, run_cli

pytest.importorskip('onnxruntime')
CHECK = ['--check-split', 'test']  # the tiny config has no val split


@pytest.fixture(scope='module')
def quantized(tiny_student, tiny_student_onnx, tmp_path_factory):
    from tools.deployment import quantize_onnx
    out = str(tmp_path_factory.mktemp('int8') / 'student_int8.onnx')
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        status = quantize_onnx.main([
            tiny_student['config'], tiny_student_onnx['onnx'], '--out', out,
            *CHECK
        ])
    return dict(status=status, out=out, log=log.getvalue())


def test_quantize_reports_the_check_and_keeps_metadata(
        tiny_student_onnx, quantized):
    assert quantized['status'] == 0, quantized['log']
    log = quantized['log']
    assert 'on 2 training videos' in log  # the two videos of train_list
    match = re.search(r'check on 1 test videos: top-1 agreement (\S+), max '
                      r'\|int8 - fp32\| logit (\S+)', log)
    assert match and float(match[1]) == 1.0 and float(match[2]) >= 0, log
    fp32, int8 = (read_onnx_metadata(f)
                  for f in (tiny_student_onnx['onnx'], quantized['out']))
    assert {key: int8[key] for key in fp32} == fp32
    assert int8['classes'] == LABELS
    assert int8['quantization']['calibration_inputs'] == 2


def test_inference_api_reads_the_int8_metadata(tiny_student, quantized):
    from hallucinet_mm.deployment.inference import OnnxStudent
    student = OnnxStudent(quantized['out'])
    assert student.meta['variant'] == 'HalluciNet'
    assert student.meta['num_frames'] == 1
    assert student.mean.ravel().tolist() == pytest.approx(
        [123.675, 116.28, 103.53])
    assert student.pipeline_cfg[0]['type'] == 'CheckedDecordInit'
    scores = student.predict_video(tiny_student['video'])
    assert scores.shape == (5, ) and scores.sum() == pytest.approx(1, 1e-5)


def test_exits_1_below_the_least_agreement(tiny_student, tiny_student_onnx,
                                           tmp_path, capsys, monkeypatch):
    from hallucinet_mm.deployment import quantization
    from tools.deployment import quantize_onnx
    compare = quantization.compare_logits
    monkeypatch.setattr(
        quantization, 'compare_logits',
        lambda ref, cand, inputs: compare(ref, lambda x: -cand(x), inputs))
    status = quantize_onnx.main([
        tiny_student['config'], tiny_student_onnx['onnx'], '--out',
        str(tmp_path / 'q.onnx'), *CHECK
    ])
    assert status == 1
    assert 'top-1 agreement 0.0000 < 0.99 (--min-agreement)' in \
        capsys.readouterr().err


def test_no_calibration_videos(tiny_student, tiny_student_onnx, tmp_path):
    from tools.deployment import quantize_onnx
    empty = tmp_path / 'empty.txt'
    empty.write_text('')
    with pytest.raises(ValueError, match=r'the train split of config .*'
                       r'tiny_student.py lists no videos \(.*empty.txt\)'):
        quantize_onnx.main([
            tiny_student['config'], tiny_student_onnx['onnx'], '--out',
            str(tmp_path / 'q.onnx'), '--cfg-options',
            f'train_dataloader.dataset.ann_file={empty}'
        ])
    assert not (tmp_path / 'q.onnx').exists()
    with pytest.raises(SystemExit):
        quantize_onnx.parse_args(['c.py', 'm.onnx', '--out', 'q.onnx',
                                  '--calib-videos', '0'])


def test_config_without_test_pipeline(tiny_student, tiny_student_onnx,
                                      tmp_path):
    from tools.deployment import quantize_onnx
    text = open(tiny_student['config']).read()
    config = tmp_path / 'no_test_pipeline.py'
    config.write_text(
        text.replace('test_pipeline = frame_pipeline', '_unused = dict')
        .replace('pipeline=test_pipeline, ', ''))
    with pytest.raises(KeyError, match='no_test_pipeline.py has no test '
                       'pipeline'):
        quantize_onnx.main([str(config), tiny_student_onnx['onnx'], '--out',
                            str(tmp_path / 'q.onnx')])


def test_damaged_onnx_is_named(tiny_student, tmp_path):
    from tools.deployment import quantize_onnx
    damaged = tmp_path / 'student.onnx'
    damaged.write_bytes(b'\x08\x07garbage' * 10)
    with pytest.raises(ValueError, match=re.escape(str(damaged))):
        quantize_onnx.main([tiny_student['config'], str(damaged), '--out',
                            str(tmp_path / 'q.onnx')])


def test_train_export_quantize_demo(tiny_student, tmp_path):
    """The whole path on a small student and a real H.264 video."""
    work = tmp_path / 'train'
    # The model trained is the one exported (strict loading refuses a
    # checkpoint without the config's hallucination head).
    student = ['model.teacher=None', 'model.hallu_head=None']
    run_cli([
        sys.executable, 'tools/train.py', tiny_student['config'],
        '--work-dir', str(work), '--cfg-options', *student,
        'model.backbone.weights=None'
    ], timeout=300)
    fp32, int8 = str(tmp_path / 'student.onnx'), str(tmp_path / 'int8.onnx')
    run_cli([
        sys.executable, 'tools/deployment/export_onnx.py',
        tiny_student['config'], str(work / 'epoch_1.pth'), '--out', fp32,
        '--label-map', tiny_student['label_map'], '--cfg-options', *student
    ])
    # One epoch of a few drop_last batches can leave an activation constant
    # over the calibration frames, which the percentile histogram refuses
    # (tested in test_quantization.py); min-max calibration takes it.
    log = run_cli([
        sys.executable, 'tools/deployment/quantize_onnx.py',
        tiny_student['config'], fp32, '--out', int8, *CHECK,
        '--calib-method', 'minmax', '--cfg-options', *student
    ])
    assert 'top-1 agreement' in log
    outputs = {}
    for model in (fp32, int8):
        out = run_cli([
            sys.executable, 'demo/demo.py', tiny_student['video'], '--onnx',
            model, '--top-k', '5', '--label-map', tiny_student['label_map']
        ])
        top = re.findall(r'\d+\. (\w+): ([\d.]+)', out)
        assert sorted(label for label, _ in top) == sorted(LABELS), out
        outputs[model] = np.array([float(score) for _, score in top])
    assert outputs[int8].sum() == pytest.approx(1, abs=1e-3)
