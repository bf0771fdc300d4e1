"""Tests for FrozenTeacherWrapper."""
import copy

import pytest
import torch

from hallucinet_mm.models.teachers import (FrozenTeacherWrapper,
                                           TeacherCheckpointError)
from mmaction.registry import MODELS


def _build(cfg, ckpt, **kwargs):
    return FrozenTeacherWrapper(
        model=copy.deepcopy(cfg),
        checkpoint=ckpt,
        input_shape=(1, 3, 16, 32, 32),
        **kwargs)


def test_loads_checkpoint_and_pools(tiny_teacher_cfg, tiny_teacher_ckpt):
    teacher = _build(tiny_teacher_cfg, tiny_teacher_ckpt)
    assert teacher.feat_dim == 64
    state = torch.load(tiny_teacher_ckpt)['state_dict']
    for key, value in teacher.model.state_dict().items():
        assert torch.equal(value, state[key]), key
    # Independent computation: the backbone's map, averaged over T, H, W.
    x = torch.randn(2, 3, 16, 32, 32)
    reference = MODELS.build(copy.deepcopy(tiny_teacher_cfg))
    reference.load_state_dict(state)
    reference.eval()
    with torch.no_grad():
        expected = reference.backbone(x).mean(dim=(2, 3, 4))
    out = teacher(x)
    assert out.shape == (2, 64)
    assert torch.allclose(out, expected, atol=1e-5)
    assert not out.requires_grad


def test_frozen_whatever_train_says(tiny_teacher_cfg, tiny_teacher_ckpt):
    teacher = _build(tiny_teacher_cfg, tiny_teacher_ckpt)
    teacher.train()
    assert not teacher.training
    assert not any(m.training for m in teacher.modules())
    assert not any(p.requires_grad for p in teacher.parameters())
    before = {k: v.clone() for k, v in teacher.state_dict().items()}
    teacher(torch.randn(4, 3, 16, 32, 32))
    for key, value in teacher.state_dict().items():
        assert torch.equal(value, before[key]), key
    teacher.init_weights()  # must not re-initialise loaded weights
    for key, value in teacher.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_tap_inner_layer_skips_later_layers(tiny_teacher_cfg,
                                            tiny_teacher_ckpt):
    teacher = _build(tiny_teacher_cfg, tiny_teacher_ckpt,
                     tap='backbone.layer2')
    assert teacher.feat_dim == 32
    calls = []
    teacher.model.backbone.layer3.register_forward_hook(
        lambda *args: calls.append(1))
    assert teacher(torch.randn(1, 3, 16, 32, 32)).shape == (1, 32)
    assert calls == []
    with pytest.raises(ValueError, match='no module'):
        _build(tiny_teacher_cfg, tiny_teacher_ckpt, tap='backbone.layer9')


def test_checkpoint_mismatch_names_keys(tmp_path, tiny_teacher_cfg,
                                        tiny_teacher_ckpt):
    state = torch.load(tiny_teacher_ckpt)['state_dict']
    missing = dict(state)
    missing.pop('backbone.conv1.conv.weight')
    torch.save({'state_dict': missing}, tmp_path / 'missing.pth')
    with pytest.raises(TeacherCheckpointError,
                       match=r'missing keys: backbone\.conv1\.conv\.weight'):
        _build(tiny_teacher_cfg, str(tmp_path / 'missing.pth'))

    extra = dict(state, **{'backbone.extra.weight': torch.zeros(1)})
    torch.save({'state_dict': extra}, tmp_path / 'extra.pth')
    with pytest.raises(TeacherCheckpointError,
                       match=r'unexpected keys: backbone\.extra\.weight'):
        _build(tiny_teacher_cfg, str(tmp_path / 'extra.pth'))

    wrong = dict(state)
    wrong['cls_head.fc_cls.weight'] = torch.zeros(7, 64)
    torch.save({'state_dict': wrong}, tmp_path / 'shape.pth')
    with pytest.raises(TeacherCheckpointError, match='fc_cls.weight'):
        _build(tiny_teacher_cfg, str(tmp_path / 'shape.pth'))

    # revise_keys maps a DataParallel prefix away.
    prefixed = {'module.' + k: v for k, v in state.items()}
    torch.save({'state_dict': prefixed}, tmp_path / 'dp.pth')
    assert _build(tiny_teacher_cfg, str(tmp_path / 'dp.pth')).feat_dim == 64


def test_no_checkpoint_is_an_error(tiny_teacher_cfg):
    with pytest.raises(TeacherCheckpointError, match='needs a checkpoint'):
        FrozenTeacherWrapper(model=copy.deepcopy(tiny_teacher_cfg))
    with pytest.raises(FileNotFoundError):
        _build(tiny_teacher_cfg, '/nonexistent/teacher.pth')


def test_model_from_config_file(tmp_path, tiny_teacher_cfg,
                                tiny_teacher_ckpt):
    cfg_file = tmp_path / 'teacher_cfg.py'
    cfg_file.write_text(f'model = {tiny_teacher_cfg!r}\n')
    teacher = FrozenTeacherWrapper(
        model=str(cfg_file),
        checkpoint=tiny_teacher_ckpt,
        input_shape=(1, 3, 16, 32, 32))
    assert teacher.feat_dim == 64


def test_configured_feat_dim_is_checked_at_first_forward(tiny_teacher_cfg,
                                                         tiny_teacher_ckpt):
    teacher = _build(tiny_teacher_cfg, tiny_teacher_ckpt, feat_dim=64)
    assert teacher(torch.randn(1, 3, 16, 32, 32)).shape == (1, 64)
    wrong = _build(tiny_teacher_cfg, tiny_teacher_ckpt, feat_dim=2048)
    assert wrong.feat_dim == 2048  # trusted at build: no forward ran
    with pytest.raises(ValueError, match='gives 64-d'):
        wrong(torch.randn(1, 3, 16, 32, 32))


def test_ignore_prefixes(tmp_path, tiny_teacher_cfg, tiny_teacher_ckpt):
    state = torch.load(tiny_teacher_ckpt)['state_dict']
    backbone_only = {k: v for k, v in state.items() if k.startswith('backbone')}
    torch.save({'state_dict': backbone_only}, tmp_path / 'backbone.pth')
    with pytest.raises(TeacherCheckpointError, match='missing keys: cls_head'):
        _build(tiny_teacher_cfg, str(tmp_path / 'backbone.pth'))
    teacher = _build(tiny_teacher_cfg, str(tmp_path / 'backbone.pth'),
                     ignore_prefixes=('cls_head.', ))
    assert torch.equal(teacher.model.backbone.conv1.conv.weight,
                       state['backbone.conv1.conv.weight'])
    # ... and a checkpoint with a head loads into a head-less teacher.
    headless = copy.deepcopy(tiny_teacher_cfg)
    headless.pop('cls_head')
    assert _build(headless, tiny_teacher_ckpt,
                  ignore_prefixes=('cls_head.', )).feat_dim == 64


def _former_load(model, path, revise_keys, ignore_prefixes):
    """The hand-written loading FrozenTeacherWrapper used before mmengine's
    load_checkpoint: rename, drop ignored keys, check strictly, load."""
    import re
    state = torch.load(path)['state_dict']
    revised = {}
    for key, value in state.items():
        for pattern, repl in revise_keys:
            key = re.sub(pattern, repl, key)
        if not key.startswith(ignore_prefixes):
            revised[key] = value
    own = {k: v for k, v in model.state_dict().items()
           if not k.startswith(ignore_prefixes)}
    assert set(own) == set(revised)
    assert all(revised[k].shape == own[k].shape for k in own)
    model.load_state_dict(revised, strict=False)
    return model.eval()


def test_mmengine_loading_gives_the_former_numbers(tmp_path, tiny_teacher_cfg,
                                                   tiny_teacher_ckpt):
    state = torch.load(tiny_teacher_ckpt)['state_dict']
    # A DataParallel prefix, a renamed stem and a head of another shape.
    odd = {'module.' + k.replace('backbone.conv1.', 'backbone.stem.'): v
           for k, v in state.items() if not k.startswith('cls_head.')}
    odd['module.cls_head.fc_cls.weight'] = torch.zeros(3, 64)
    path = str(tmp_path / 'odd.pth')
    torch.save({'state_dict': odd}, path)
    revise = [(r'^module\.', ''), (r'^backbone\.stem\.', 'backbone.conv1.')]
    teacher = _build(tiny_teacher_cfg, path, revise_keys=revise,
                     ignore_prefixes=('cls_head.', ))
    torch.manual_seed(1)
    former = _former_load(
        MODELS.build(copy.deepcopy(tiny_teacher_cfg)), path, revise,
        ('cls_head.', ))
    for key, value in former.state_dict().items():
        if not key.startswith('cls_head.'):
            assert torch.equal(teacher.model.state_dict()[key], value), key
    x = torch.randn(2, 3, 16, 32, 32)
    with torch.no_grad():
        expected = former.backbone(x).mean((2, 3, 4))
    torch.testing.assert_close(teacher(x), expected, rtol=0, atol=0)
    # Without the renaming the same file is refused at build time, naming it.
    with pytest.raises(TeacherCheckpointError, match=f'{path}.*missing keys'):
        _build(tiny_teacher_cfg, path, ignore_prefixes=('cls_head.', ))
