"""Tests for HalluciNetRecognizer: losses, frozen teacher, checkpoints."""
import copy
from unittest.mock import MagicMock

import pytest
import torch
from mmengine.optim import OptimWrapper

from hallucinet_mm.models.losses import HallucinationLoss
from mmaction.registry import MODELS
from tests.models.conftest import tiny_batch, tiny_recognizer_cfg


def _batch(n=2, with_teacher=True, seed=0):
    return tiny_batch([i % 6 for i in range(n)], with_teacher, seed)


def test_loss_is_ce_plus_weighted_hallucination(model):
    data = model.data_preprocessor(_batch(), training=True)
    model.eval()  # deterministic (dropout off) for the comparison
    losses = model(**data, mode='loss')
    assert {'loss_cls', 'loss_hallu'} <= set(losses)
    feats, phi_s, steps = model.student_features(data['inputs']['imgs'])
    clips = data['inputs']['teacher_imgs'].flatten(0, 1)
    with torch.no_grad():
        phi_t = model.teacher.model.backbone(clips).mean(dim=(2, 3, 4))
    expected = 50 * torch.mean(
        (torch.sigmoid(phi_s) - torch.sigmoid(phi_t))**2)
    assert steps == 1 and phi_s.shape == (2, 64)
    assert torch.allclose(losses['loss_hallu'], expected, atol=1e-6)


def test_teacher_frozen_student_learns(model):
    teacher_before = {
        k: v.clone()
        for k, v in model.teacher.state_dict().items()
    }
    student_before = model.backbone.conv1.conv.weight.clone()
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    model.train()
    assert not any(p.requires_grad for p in model.teacher.parameters())
    for step in range(3):
        log = model.train_step(_batch(seed=step), optim)
        assert 'loss_hallu' in log
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, teacher_before[key]), key  # incl. BN stats
    assert not torch.equal(model.backbone.conv1.conv.weight, student_before)
    # One backward by hand: the student gets gradients, the teacher none.
    data = model.data_preprocessor(_batch(seed=9), training=True)
    losses = model(**data, mode='loss')
    (losses['loss_cls'] + losses['loss_hallu']).backward()
    assert model.backbone.conv1.conv.weight.grad.abs().sum() > 0
    assert model.hallu_head.layers[0].weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.teacher.parameters())
    assert not model.teacher.training


def test_teacher_outside_parameters_and_checkpoints(model, tmp_path,
                                                    tiny_teacher_cfg,
                                                    tiny_teacher_ckpt):
    teacher_params = {id(p) for p in model.teacher.parameters()}
    assert not teacher_params & {id(p) for p in model.parameters()}
    assert not any(k.startswith('_teacher') or 'teacher.' in k
                   for k in model.state_dict())
    assert all(m is not model.teacher for m in model.modules())
    # A student checkpoint loads strictly into a model without a teacher
    # and predicts the same.
    cfg = tiny_recognizer_cfg(tiny_teacher_cfg, tiny_teacher_ckpt)
    cfg['teacher'] = None
    student_only = MODELS.build(cfg)
    torch.save(model.state_dict(), tmp_path / 'student.pth')
    student_only.load_state_dict(torch.load(tmp_path / 'student.pth'))
    model.eval(), student_only.eval()
    data = model.data_preprocessor(_batch(with_teacher=False))
    a = model(**copy.deepcopy(data), mode='predict')
    b = student_only(**data, mode='predict')
    for x, y in zip(a, b):
        assert torch.allclose(x.pred_score, y.pred_score)


def test_teacher_follows_to(model):
    model.to(torch.float64)
    assert next(model.teacher.parameters()).dtype == torch.float64
    model.to(torch.float32)
    assert next(model.teacher.parameters()).dtype == torch.float32


def test_predict_never_runs_teacher_without_teacher_inputs(model):
    model.teacher.forward = MagicMock(side_effect=AssertionError('ran'))
    model.eval()
    data = model.data_preprocessor(_batch(with_teacher=False))
    out = model(**data, mode='predict')
    assert len(out) == 2 and out[0].pred_score.shape == (6, )
    assert 'hallu_loss' not in out[0]


def test_predict_with_teacher_stores_hallucination_loss(model):
    model.eval()
    data = model.data_preprocessor(_batch())
    out = model(**copy.deepcopy(data), mode='predict')
    feats, phi_s, _ = model.student_features(data['inputs']['imgs'])
    phi_t = model.teacher(data['inputs']['teacher_imgs'].flatten(0, 1))
    expected = HallucinationLoss().per_sample(phi_s, phi_t)  # no lambda
    for sample, value in zip(out, expected):
        assert torch.isclose(sample.hallu_loss, value, atol=1e-6)


@pytest.mark.parametrize('cls_feature, in_channels', [('hallucinated', 64),
                                                       ('both', 576)])
def test_direct_and_both_variants(tiny_teacher_cfg, tiny_teacher_ckpt,
                                  cls_feature, in_channels):
    cfg = tiny_recognizer_cfg(tiny_teacher_cfg, tiny_teacher_ckpt,
                              cls_feature=cls_feature)
    cfg['cls_head']['in_channels'] = in_channels
    model = MODELS.build(cfg)
    data = model.data_preprocessor(_batch(), training=True)
    losses = model(**data, mode='loss')
    assert {'loss_cls', 'loss_hallu'} <= set(losses)
    logits = model(data['inputs'], mode='tensor')
    assert logits.shape == (2, 6)


def test_vanilla_and_hallucination_only(tiny_teacher_cfg, tiny_teacher_ckpt):
    vanilla = MODELS.build(
        tiny_recognizer_cfg(tiny_teacher_cfg, tiny_teacher_ckpt,
                            hallu_head=None, teacher=None))
    data = vanilla.data_preprocessor(_batch(with_teacher=False), True)
    assert set(k for k in vanilla(**data, mode='loss')
               if k.startswith('loss')) == {'loss_cls'}
    zero = tiny_recognizer_cfg(tiny_teacher_cfg, tiny_teacher_ckpt)
    # Read from the configured loss, whichever it is.
    zero['hallu_head']['loss_hallu'] = dict(
        type='HalluciNetMSELoss', loss_weight=0.0)
    model = MODELS.build(zero)
    data = model.data_preprocessor(_batch(with_teacher=False), True)
    assert 'loss_hallu' not in model(**data, mode='loss')

    only = MODELS.build(
        tiny_recognizer_cfg(tiny_teacher_cfg, tiny_teacher_ckpt,
                            cls_head=None))
    data = only.data_preprocessor(_batch(), True)
    assert set(only(**copy.deepcopy(data), mode='loss')) == {'loss_hallu'}
    only.eval()
    out = only(**data, mode='predict')
    assert 'hallu_loss' in out[0]


def test_build_errors(tiny_teacher_cfg, tiny_teacher_ckpt):
    cfg = tiny_recognizer_cfg(tiny_teacher_cfg, tiny_teacher_ckpt)
    cfg['hallu_head']['out_channels'] = 2048
    model = MODELS.build(cfg)  # the teacher is built on first use
    with pytest.raises(ValueError, match='gives 64-d'):
        model.init_weights()
    cfg['teacher']['feat_dim'] = 64  # known: checked at build time
    with pytest.raises(ValueError, match='gives 64-d'):
        MODELS.build(cfg)
    with pytest.raises(ValueError, match='does not support a neck'):
        MODELS.build(
            tiny_recognizer_cfg(tiny_teacher_cfg, tiny_teacher_ckpt,
                                neck=dict(type='TPN')))
    with pytest.raises(ValueError, match='cls_feature'):
        MODELS.build(
            tiny_recognizer_cfg(tiny_teacher_cfg, tiny_teacher_ckpt,
                                cls_feature='teacher'))
    with pytest.raises(ValueError, match='needs a hallu_head'):
        MODELS.build(
            tiny_recognizer_cfg(tiny_teacher_cfg, tiny_teacher_ckpt,
                                hallu_head=None, teacher=None,
                                cls_feature='both'))


def test_missing_teacher_inputs_in_training(model):
    data = model.data_preprocessor(_batch(with_teacher=False), True)
    with pytest.raises(KeyError, match='with_teacher=True'):
        model(**data, mode='loss')


def test_zero_weight_leaves_no_unused_head_output(tiny_teacher_cfg,
                                                  tiny_teacher_ckpt):
    """loss_weight=0: phi_s must not be computed (DDP would wait for the
    head's gradients); every parameter that runs gets a gradient."""
    cfg = tiny_recognizer_cfg(tiny_teacher_cfg, tiny_teacher_ckpt)
    cfg['hallu_head']['loss_hallu'] = dict(
        type='HallucinationLoss', loss_weight=0.0)
    model = MODELS.build(cfg)
    calls = []
    model.hallu_head.register_forward_hook(lambda *a: calls.append(1))
    data = model.data_preprocessor(_batch(with_teacher=False), True)
    losses = model(**data, mode='loss')
    losses['loss_cls'].backward()
    assert calls == []


def test_multi_view_hallucination_loss_is_a_clear_error(model):
    model.eval()
    batch = _batch()
    batch['inputs']['imgs'] = [torch.cat([x] * 3) for x in batch['inputs']['imgs']]
    data = model.data_preprocessor(batch)
    with pytest.raises(ValueError, match='one view'):
        model(**data, mode='predict')


def test_building_leaves_a_torchvision_backbone_config_as_it_was(
        tiny_teacher_cfg, tiny_teacher_ckpt):
    """Recognizer2D pops a torchvision backbone's ``type`` from the dict it
    is given: the same config must build a second model (one per
    checkpoint in tools/analysis/int8_accuracy.py) and stay unchanged."""
    cfg = tiny_recognizer_cfg(
        tiny_teacher_cfg, tiny_teacher_ckpt,
        backbone=dict(type='torchvision.mobilenet_v3_small', weights=None),
        cls_head=dict(type='TSNHead', num_classes=6, in_channels=576),
        hallu_head=dict(
            type='HallucinationHead', in_channels=576, out_channels=64))
    before = copy.deepcopy(cfg['backbone'])
    first = MODELS.build(cfg)
    assert cfg['backbone'] == before
    second = MODELS.build(cfg)
    assert type(first.backbone) is type(second.backbone)
    assert cfg['backbone'] == before
