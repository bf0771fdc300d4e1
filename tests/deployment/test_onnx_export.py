"""export_student_onnx: the student alone, dynamic batch, metadata."""
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

import hallucinet_mm  # noqa: F401
from hallucinet_mm.deployment import export_student_onnx, read_onnx_metadata
from mmaction.registry import MODELS
from tests.models.conftest import (STUDENT_MEAN, STUDENT_STD,
                                   student_preprocessor)

ort = pytest.importorskip('onnxruntime')

MEAN, STD = STUDENT_MEAN, STUDENT_STD


def _student(cls_feature='student', frames_per_step=1, cls_head=True):
    init_default_scope('mmaction')
    torch.manual_seed(0)
    hallu_out = 16
    in_channels = 512 * frames_per_step if cls_feature == 'student' \
        else hallu_out
    model = MODELS.build(
        dict(
            type='HalluciNetRecognizer',
            backbone=dict(type='ResNet', depth=18, pretrained=None),
            cls_head=dict(
                type='TSNHead',
                num_classes=5,
                in_channels=in_channels,
                average_clips='prob') if cls_head else None,
            hallu_head=dict(
                type='HallucinationHead',
                in_channels=512 * frames_per_step,
                out_channels=hallu_out),
            cls_feature=cls_feature,
            frames_per_step=frames_per_step,
            data_preprocessor=student_preprocessor(with_teacher=False)))
    model.init_weights()
    return model.eval()


@pytest.mark.parametrize('cls_feature,frames_per_step,variant',
                         [('student', 1, 'HalluciNet'),
                          ('hallucinated', 2, 'HalluciNet-direct')])
def test_export_matches_pytorch_with_dynamic_batch(tmp_path, cls_feature,
                                                   frames_per_step, variant):
    model = _student(cls_feature, frames_per_step)
    model.train()  # the export must not depend on (nor change) the mode
    out = export_student_onnx(
        model,
        str(tmp_path / 'sub' / 'student.onnx'),
        input_shape=(1, 2 * frames_per_step, 3, 32, 32),
        metadata=dict(classes=['a', 'b', 'c', 'd', 'e']))
    assert model.training
    meta = read_onnx_metadata(out)
    assert meta['variant'] == variant
    assert meta['mean'] == pytest.approx(MEAN)
    assert meta['std'] == pytest.approx(STD)
    assert meta['input_size'] == [32, 32]
    assert meta['frames_per_step'] == frames_per_step
    assert meta['steps'] == 2 and meta['num_frames'] == 2 * frames_per_step
    assert meta['num_classes'] == 5 and meta['classes'][0] == 'a'
    assert meta['output'] == 'logits' and meta['average_clips'] == 'prob'

    session = ort.InferenceSession(out, providers=['CPUExecutionProvider'])
    assert session.get_inputs()[0].name == 'imgs'
    # A batch of 3 through a graph exported with a batch of 1.
    x = torch.randn(3, 2 * frames_per_step, 3, 32, 32)
    got = session.run(None, {'imgs': x.numpy()})[0]
    model.eval()
    with torch.no_grad():
        want = model(x, mode='tensor').numpy()
    assert got.shape == (3, 5)
    assert np.abs(got - want).max() <= 1e-4


def test_export_refuses_headless_model_and_bad_shape(tmp_path):
    with pytest.raises(ValueError, match='no cls_head'):
        export_student_onnx(
            _student(cls_head=False),
            str(tmp_path / 'x.onnx'),
            input_shape=(1, 1, 3, 32, 32))
    with pytest.raises(ValueError, match='multiple of frames_per_step=2'):
        export_student_onnx(
            _student('hallucinated', 2),
            str(tmp_path / 'x.onnx'),
            input_shape=(1, 3, 3, 32, 32))
    with pytest.raises(ValueError, match=r'\(N, S, C, H, W\)'):
        export_student_onnx(
            _student(), str(tmp_path / 'x.onnx'), input_shape=(1, 3, 32, 32))
