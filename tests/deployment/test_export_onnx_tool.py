"""tools/deployment/export_onnx.py on a real video (README deploy section)."""
import re

import numpy as np
import pytest

from hallucinet_mm.deployment import read_onnx_metadata
from hallucinet_mm.deployment.inference import OnnxStudent, TorchStudent
from tests.deployment.student_fixtures import LABELS

pytest.importorskip('onnxruntime')


def test_export_checks_onnxruntime_against_pytorch(tiny_student,
                                                   tiny_student_onnx):
    log = tiny_student_onnx['log']
    diffs = [float(d) for d in re.findall(r'max abs diff (\S+)', log)]
    assert len(diffs) == 1 and diffs[0] <= 1e-4, log
    assert 'batch 2:' in log and 'carphone_pristine.mp4' in log
    meta = read_onnx_metadata(tiny_student_onnx['onnx'])
    assert meta['classes'] == LABELS
    assert meta['input_size'] == [32, 32] and meta['num_frames'] == 1
    assert meta['frames_per_step'] == 1 and meta['variant'] == 'HalluciNet'
    assert meta['mean'] == pytest.approx([123.675, 116.28, 103.53])
    assert meta['test_pipeline'][0]['type'] == 'CheckedDecordInit'


def test_onnx_and_pytorch_students_agree_on_video_and_image(
        tiny_student, tiny_student_onnx):
    torch_student = TorchStudent(tiny_student['config'],
                                 tiny_student['checkpoint'])
    assert torch_student.model.__dict__['_teacher'] is None
    onnx_student = OnnxStudent(tiny_student_onnx['onnx'])
    for student in (torch_student, onnx_student):
        student.video_scores = student.predict_video(tiny_student['video'])
    np.testing.assert_allclose(
        onnx_student.video_scores, torch_student.video_scores, atol=1e-5)
    assert onnx_student.video_scores.sum() == pytest.approx(1, abs=1e-5)


def test_export_fails_when_over_tolerance(tiny_student, tmp_path, capsys,
                                         monkeypatch):
    from tools.deployment import export_onnx
    run = OnnxStudent.run
    monkeypatch.setattr(OnnxStudent, 'run',
                        lambda self, x: run(self, x) + 1e-3)
    status = export_onnx.main([
        tiny_student['config'], tiny_student['checkpoint'], '--out',
        str(tmp_path / 's.onnx'), '--video', tiny_student['video']
    ])
    captured = capsys.readouterr()
    assert status == 1
    assert re.search(r'differs from PyTorch by 0\.001\d* > 0\.0001',
                     captured.err), captured.err


def test_export_defaults_to_the_first_test_video(tiny_student, tmp_path,
                                                 capsys):
    from tools.deployment import export_onnx
    assert export_onnx.main([
        tiny_student['config'], tiny_student['checkpoint'], '--out',
        str(tmp_path / 's.onnx')
    ]) == 0
    assert 'of ' + tiny_student['video'] in capsys.readouterr().out
