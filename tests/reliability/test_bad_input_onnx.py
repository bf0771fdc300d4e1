"""Bad ONNX input (issue 19): a damaged ``.onnx`` file and an input of the
wrong size each give an error that names the file (and, for the input, the
expected and the given shapes) instead of protobuf's bare ``DecodeError`` or
ONNX Runtime's raw ``INVALID_ARGUMENT``. The INT8 file of issue 18 goes
through the same checks."""
import re
import shutil

import numpy as np
import pytest

from bad_input_helpers import digest, truncate
from tests.deployment.student_fixtures import (tiny_student,  # noqa: F401
                                               tiny_student_onnx)

pytest.importorskip('onnxruntime')


def _damaged(src, path, kind):
    """A copy of ``src`` damaged in one of several ways."""
    shutil.copy(src, path)
    if kind == 'truncated':
        truncate(path)
    elif kind == 'text':
        path.write_text('not a model\n')
    elif kind == 'html':
        path.write_text('<html><body>404 Not Found</body></html>')
    elif kind == 'empty':
        path.write_bytes(b'')
    return str(path)


@pytest.mark.parametrize('kind', ['truncated', 'text', 'html', 'empty'])
def test_damaged_onnx_file_is_named(tiny_student_onnx, tmp_path, kind):
    from hallucinet_mm.deployment import read_onnx_metadata
    from hallucinet_mm.deployment.inference import OnnxStudent
    path = _damaged(tiny_student_onnx['onnx'], tmp_path / 'student.onnx',
                    kind)
    before = digest(path)
    for load in (read_onnx_metadata, OnnxStudent):
        with pytest.raises(ValueError, match=re.escape(path) +
                           ' is not a valid ONNX model'):
            load(path)
    assert digest(path) == before  # the file is left alone


def test_damaged_onnx_file_refused_by_the_quantizer(tiny_student_onnx,
                                                    tmp_path):
    from hallucinet_mm.deployment.quantization import (FrameCalibrationReader,
                                                       quantize_student)
    path = _damaged(tiny_student_onnx['onnx'], tmp_path / 's.onnx',
                    'truncated')
    reader = FrameCalibrationReader([np.zeros((1, 1, 3, 32, 32))])
    with pytest.raises(ValueError, match=re.escape(path)):
        quantize_student(path, str(tmp_path / 'q.onnx'), reader)
    assert not (tmp_path / 'q.onnx').exists()


def test_missing_onnx_file_is_named(tmp_path):
    from hallucinet_mm.deployment import read_onnx_metadata
    path = str(tmp_path / 'nowhere.onnx')
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        read_onnx_metadata(path)


@pytest.mark.parametrize('shape', [(1, 1, 3, 64, 64), (1, 3, 32, 32),
                                   (2, 2, 3, 32, 32)])
def test_wrong_input_size_names_both_shapes_and_the_file(
        tiny_student_onnx, shape):
    from hallucinet_mm.deployment.inference import OnnxStudent
    student = OnnxStudent(tiny_student_onnx['onnx'])
    expected = "('batch', 1, 3, 32, 32)"
    with pytest.raises(ValueError) as info:
        student.run(np.zeros(shape, np.float32))
    message = str(info.value)
    assert tiny_student_onnx['onnx'] in message
    assert expected in message and str(shape) in message
    assert 'INVALID_ARGUMENT' not in message
    # Any batch size fits the dynamic axis.
    assert student.run(np.zeros((3, 1, 3, 32, 32), np.float32)).shape == (3,
                                                                          5)


def test_wrong_test_pipeline_crop_is_named(tiny_student, tiny_student_onnx):
    from mmengine.config import Config

    from hallucinet_mm.deployment.inference import (OnnxStudent,
                                                    config_test_pipeline)
    pipeline = config_test_pipeline(Config.fromfile(tiny_student['config']))
    split = next(t for t in pipeline if t['type'] == 'SplitStudentTeacher')
    split['student_pipeline'][-1]['crop_size'] = 24
    student = OnnxStudent(tiny_student_onnx['onnx'], pipeline=pipeline)
    with pytest.raises(ValueError, match=r'\(1, 1, 3, 24, 24\)'):
        student.predict_video(tiny_student['video'])
