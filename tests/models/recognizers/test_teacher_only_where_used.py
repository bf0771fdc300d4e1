"""The teacher (and ImageNet weights) only where they are used."""
import pytest
import torch
import torchvision
from torchvision.models._api import WeightsEnum

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from tests.models.conftest import tiny_recognizer_cfg


def _inputs(with_teacher):
    inputs = dict(imgs=[torch.rand(1, 3, 32, 32) * 255])
    if with_teacher:
        inputs['teacher_imgs'] = [torch.rand(1, 3, 16, 32, 32) * 255]
    return dict(inputs=inputs, data_samples=[ActionDataSample()])


def test_no_teacher_built_for_inference(tiny_teacher_cfg, tmp_path):
    missing = str(tmp_path / 'no_such_teacher.pth')
    model = MODELS.build(tiny_recognizer_cfg(tiny_teacher_cfg, missing))
    assert model.has_teacher and model.__dict__['_teacher'] is None
    model.eval()
    out = model.test_step(_inputs(with_teacher=False))
    assert out[0].pred_score.shape == (6, )
    assert model.__dict__['_teacher'] is None
    # Training keeps its strict checks, before the first iteration.
    with pytest.raises(FileNotFoundError, match='no_such_teacher.pth'):
        model.init_weights()


def test_teacher_built_on_first_teacher_input(tiny_teacher_cfg,
                                              tiny_teacher_ckpt):
    model = MODELS.build(
        tiny_recognizer_cfg(tiny_teacher_cfg, tiny_teacher_ckpt))
    model.to(torch.float64)  # before the teacher exists
    model.eval()
    data = model.data_preprocessor(_inputs(with_teacher=True))
    out = model(**data, mode='predict')
    assert 'hallu_loss' in out[0]
    teacher = model.__dict__['_teacher']
    assert teacher is not None and teacher is model.teacher
    assert next(teacher.parameters()).dtype == torch.float64
    assert not any(k.startswith('teacher') for k in model.state_dict())


def test_torchvision_weights_loaded_in_init_weights(monkeypatch,
                                                    tiny_teacher_cfg):
    torch.manual_seed(1)
    reference = torchvision.models.mobilenet_v3_small().state_dict()
    calls = []

    def fake_get_state_dict(self, *args, **kwargs):
        calls.append(self.name)
        return reference

    monkeypatch.setattr(WeightsEnum, 'get_state_dict', fake_get_state_dict)
    cfg = tiny_recognizer_cfg(
        tiny_teacher_cfg,
        None,
        backbone=dict(
            type='torchvision.mobilenet_v3_small', weights='IMAGENET1K_V1'),
        teacher=None,
        hallu_head=None)
    cfg['cls_head']['in_channels'] = 576
    model = MODELS.build(cfg)
    assert calls == []  # building downloads nothing
    params = list(model.backbone.parameters())
    model.init_weights()
    assert calls == ['IMAGENET1K_V1']
    assert [id(p) for p in model.backbone.parameters()] == list(
        map(id, params))
    got = model.backbone.state_dict()
    for key in got:
        assert torch.equal(got[key], reference[key]), key
