# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests of the Hara et al. 3D-ResNeXt backbone ``ResNeXt3D``."""
import math

import pytest
import torch
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm

import hallucinet_mm  # noqa: F401  (registers ResNeXt3D, compat fixes)
from hallucinet_mm.models.backbones import ResNeXt3D
from hallucinet_mm.models.backbones.hara_conversion import \
    convert_hara_checkpoint
from hallucinet_mm.models.backbones.hara_layout import (CONVERTER,
                                                        HaraCheckpointError)
from mmaction.registry import MODELS


@pytest.fixture(scope='module')
def resnext50():
    torch.manual_seed(0)
    model = ResNeXt3D(depth=50, out_indices=(0, 1, 2, 3))
    model.init_weights()
    return model.eval()


def test_registered_and_built_from_config():
    model = MODELS.build(dict(type='ResNeXt3D', depth=50))
    assert isinstance(model, ResNeXt3D)
    assert model.feat_dim == 2048 and model.out_indices == (3, )


def test_output_shapes_16x112x112(resnext50):
    with torch.no_grad():
        outs = resnext50(torch.randn(1, 3, 16, 112, 112))
    assert isinstance(outs, tuple)
    assert [tuple(o.shape) for o in outs] == [(1, 256, 8, 28, 28),
                                              (1, 512, 4, 14, 14),
                                              (1, 1024, 2, 7, 7),
                                              (1, 2048, 1, 4, 4)]
    assert all(torch.isfinite(o).all() for o in outs)


def test_single_out_index_returns_tensor(resnext50):
    model = ResNeXt3D(depth=50, out_indices=(2, ))
    model.load_state_dict(resnext50.state_dict())
    model.eval()
    x = torch.randn(1, 3, 8, 32, 32)
    with torch.no_grad():
        out = model(x)
        outs = resnext50(x)
    assert torch.is_tensor(out) and out.shape == (1, 1024, 1, 2, 2)
    assert model.feat_dim == 1024
    torch.testing.assert_close(out, outs[2])


def test_with_pool():
    with torch.device('meta'):
        model = ResNeXt3D(depth=50, with_pool=True, out_indices=(1, 3))
        outs = model.eval()(torch.empty(1, 3, 8, 48, 48))
    assert [tuple(o.shape) for o in outs] == [(1, 512, 1, 1, 1),
                                              (1, 2048, 1, 1, 1)]


@pytest.mark.parametrize('depth, blocks', [(50, (3, 4, 6, 3)),
                                           (101, (3, 4, 23, 3)),
                                           (152, (3, 8, 36, 3))])
def test_depths_on_meta_device(depth, blocks):
    with torch.device('meta'):
        model = ResNeXt3D(depth=depth)
        out = model(torch.empty(2, 3, 16, 112, 112))
    assert tuple(len(getattr(model, f'layer{i}')) for i in range(1, 5)) == \
        blocks
    assert out.shape == (2, 2048, 1, 4, 4)


def test_block_structure():
    with torch.device('meta'):
        model = ResNeXt3D(depth=50)
    block = model.layer2[0]
    # width = cardinality * int(planes / 32) = 32 * 8; groups = 32
    assert block.conv1.out_channels == 256 and block.conv2.groups == 32
    assert block.conv2.stride == (2, 2, 2) and block.conv2.padding == (1, ) * 3
    assert block.conv3.out_channels == 512
    assert isinstance(block.downsample[0], nn.Conv3d)
    assert block.downsample[0].stride == (2, 2, 2)
    assert model.layer1[0].downsample is not None  # 64 -> 256 channels
    assert model.layer1[1].downsample is None
    assert model.conv1.stride == (1, 2, 2) and model.conv1.kernel_size == (
        7, 7, 7)
    assert all(m.bias is None for m in model.modules()
               if isinstance(m, nn.Conv3d))


def test_cardinality_changes_width():
    with torch.device('meta'):
        model = ResNeXt3D(depth=50, cardinality=16)
    assert model.layer1[0].conv2.groups == 16
    assert model.layer1[0].conv2.out_channels == 16 * 4
    assert model.feat_dim == 2048


@pytest.mark.parametrize('kwargs, error', [
    (dict(depth=34), KeyError),
    (dict(out_indices=(4, )), ValueError),
    (dict(out_indices=()), ValueError),
    (dict(frozen_stages=5), ValueError),
    (dict(cardinality=0), ValueError),
    (dict(pretrained='a.pth', init_cfg=dict(type='Pretrained',
                                            checkpoint='a.pth')), ValueError),
    (dict(pretrained=3), TypeError),
])
def test_invalid_arguments(kwargs, error):
    with pytest.raises(error):
        ResNeXt3D(**kwargs)


def test_init_weights():
    model = ResNeXt3D(depth=50)
    model.init_weights()
    for m in model.modules():
        if isinstance(m, _BatchNorm):
            assert torch.all(m.weight == 1) and torch.all(m.bias == 0)
    # Kaiming normal, fan_out: std = sqrt(2 / (64 * 7 ** 3))
    std = model.conv1.weight.std().item()
    assert std == pytest.approx(math.sqrt(2 / (64 * 343)), rel=0.05)


def test_norm_eval():
    with torch.device('meta'):
        model = ResNeXt3D(depth=50, norm_eval=True)
    model.train()
    assert model.training and model.layer1[0].conv1.training
    assert not any(m.training for m in model.modules()
                   if isinstance(m, _BatchNorm))
    assert all(p.requires_grad for p in model.parameters())
    model.eval()
    model.train()  # still frozen after a round trip
    assert not model.layer4[2].bn3.training

    with torch.device('meta'):
        model = ResNeXt3D(depth=50, norm_eval=False)
    model.train()
    assert all(m.training for m in model.modules()
               if isinstance(m, _BatchNorm))


def test_norm_eval_keeps_running_stats():
    model = ResNeXt3D(depth=50, norm_eval=True)
    model.train()
    stats = {k: v.clone() for k, v in model.state_dict().items()
             if 'running' in k}
    with torch.no_grad():
        model(torch.randn(2, 3, 1, 16, 16))
    assert all(torch.equal(model.state_dict()[k], v)
               for k, v in stats.items())


@pytest.mark.parametrize('frozen_stages', [-1, 0, 2, 4])
def test_frozen_stages(frozen_stages):
    with torch.device('meta'):
        model = ResNeXt3D(depth=50, frozen_stages=frozen_stages)
    model.train()
    stem = [model.conv1, model.bn1]
    stages = [getattr(model, f'layer{i}') for i in range(1, 5)]
    n_frozen = max(frozen_stages, 0)
    frozen = (stem if frozen_stages >= 0 else []) + stages[:n_frozen]
    free = ([] if frozen_stages >= 0 else stem) + stages[n_frozen:]
    for module in frozen:
        assert all(not p.requires_grad for p in module.parameters())
        assert all(not m.training for m in module.modules())
    for module in free:
        assert all(p.requires_grad for p in module.parameters())
        assert all(m.training for m in module.modules())


def test_frozen_stages_stop_gradients():
    model = ResNeXt3D(depth=50, frozen_stages=3)
    model.train()
    model(torch.randn(2, 3, 1, 16, 16)).sum().backward()
    assert model.conv1.weight.grad is None
    assert model.layer3[5].conv3.weight.grad is None
    assert model.layer4[0].conv1.weight.grad is not None


def test_pretrained_loads_converted_refuses_original(resnext50, tmp_path):
    backbone_sd = resnext50.state_dict()
    converted = tmp_path / 'mm.pth'
    torch.save({'state_dict': {'backbone.' + k: v
                               for k, v in backbone_sd.items()},
                'meta': {}}, converted)
    hara = tmp_path / 'hara.pth'
    hara_sd = {'module.' + k: v for k, v in backbone_sd.items()
               if not k.endswith('num_batches_tracked')}
    hara_sd['module.fc.weight'] = torch.zeros(5, 2048)
    hara_sd['module.fc.bias'] = torch.zeros(5)
    hara_ckpt = {'epoch': 1, 'arch': 'resnext-50', 'state_dict': hara_sd,
                 'optimizer': {}}
    torch.save(hara_ckpt, hara)
    # One policy (hara_layout.py): the original file is converted offline;
    # given as is, it is refused naming the converter.
    with pytest.raises(HaraCheckpointError, match=CONVERTER) as info:
        ResNeXt3D(depth=50, pretrained=str(hara)).init_weights()
    assert str(hara) in str(info.value)
    offline = tmp_path / 'offline.pth'
    torch.save({'state_dict': convert_hara_checkpoint(hara_ckpt)[0]},
               offline)
    init_cfg = dict(type='Pretrained', checkpoint=str(converted),
                    prefix='backbone.')
    for kwargs in (dict(pretrained=str(converted)),
                   dict(pretrained=str(offline)), dict(init_cfg=init_cfg)):
        model = ResNeXt3D(depth=50, **kwargs)
        model.init_weights()
        for k, v in model.state_dict().items():
            if not k.endswith('num_batches_tracked'):
                assert torch.equal(v, backbone_sd[k]), (kwargs, k)
