# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests of the Hara et al. 3D-ResNeXt checkpoint converter.

A reference network is written here from the published architecture (Hara,
Kataoka and Satoh, CVPR 2018; ``3D-ResNets-PyTorch``), with that release's
module names, average pool and fc. Its weights, saved like a checkpoint of
that release, are converted and loaded into ``ResNeXt3D`` and an MMAction2
``Recognizer3D``; features and logits must match the reference.
"""
import importlib.util
import math
import os.path as osp
import subprocess
import sys

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import hallucinet_mm  # noqa: F401  (registers ResNeXt3D, compat fixes)
from hallucinet_mm.models.backbones.hara_conversion import (
    HaraCheckpointError, convert_hara_checkpoint, convert_hara_state_dict)
from hallucinet_mm.models.backbones.resnext3d import ResNeXt3D

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'model_converters',
                'hara_resnext_to_mmaction.py')
LAYERS = {50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}
NUM_CLASSES = 7


# --------------------------------------------------------------------------
# Reference: the published 3D-ResNeXt, written independently of ResNeXt3D
# --------------------------------------------------------------------------
class RefBlock(nn.Module):
    expansion = 2

    def __init__(self, inplanes, planes, cardinality, stride, downsample):
        super().__init__()
        width = cardinality * int(planes / 32)
        self.conv1 = nn.Conv3d(inplanes, width, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm3d(width)
        self.conv2 = nn.Conv3d(width, width, kernel_size=3, stride=stride,
                               padding=1, groups=cardinality, bias=False)
        self.bn2 = nn.BatchNorm3d(width)
        self.conv3 = nn.Conv3d(width, planes * 2, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm3d(planes * 2)
        self.downsample = downsample

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(y + shortcut)


class RefHaraResNeXt(nn.Module):
    """Hara's ResNeXt with shortcut type B, AvgPool3d and fc."""

    def __init__(self, layers, sample_size=112, sample_duration=16,
                 cardinality=32, num_classes=400):
        super().__init__()
        self.conv1 = nn.Conv3d(3, 64, kernel_size=7, stride=(1, 2, 2),
                               padding=(3, 3, 3), bias=False)
        self.bn1 = nn.BatchNorm3d(64)
        self.maxpool = nn.MaxPool3d(kernel_size=3, stride=2, padding=1)
        inplanes = 64
        for i, (planes, n) in enumerate(zip([128, 256, 512, 1024], layers)):
            stride = 1 if i == 0 else 2
            downsample = None
            if stride != 1 or inplanes != planes * 2:
                downsample = nn.Sequential(
                    nn.Conv3d(inplanes, planes * 2, kernel_size=1,
                              stride=stride, bias=False),
                    nn.BatchNorm3d(planes * 2))
            blocks = [RefBlock(inplanes, planes, cardinality, stride,
                               downsample)]
            inplanes = planes * 2
            blocks += [RefBlock(inplanes, planes, cardinality, 1, None)
                       for _ in range(n - 1)]
            setattr(self, f'layer{i + 1}', nn.Sequential(*blocks))
        last_duration = int(math.ceil(sample_duration / 16))
        last_size = int(math.ceil(sample_size / 32))
        self.avgpool = nn.AvgPool3d((last_duration, last_size, last_size),
                                    stride=1)
        self.fc = nn.Linear(cardinality * 32 * 2, num_classes)

    def features(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        for i in range(1, 5):
            x = getattr(self, f'layer{i}')(x)
        return self.avgpool(x).flatten(1)

    def forward(self, x):
        return self.fc(self.features(x))


def hara_checkpoint(model, arch, epoch=200):
    """Wraps a state dict as 3D-ResNets-PyTorch's main.py saves it."""
    return {
        'epoch': epoch,
        'arch': arch,
        'state_dict': {'module.' + k: v
                       for k, v in model.state_dict().items()},
        'optimizer': {'state': {}, 'param_groups': [{'lr': 0.1}]},
    }


@pytest.fixture(scope='module')
def ref50():
    """A depth-50 reference with random BN affine and calibrated stats."""
    torch.manual_seed(0)
    model = RefHaraResNeXt(LAYERS[50], sample_size=64, sample_duration=16,
                           num_classes=NUM_CLASSES)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm3d):
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.normal_(m.bias, 0.0, 0.1)
            m.momentum = 1.0  # running stats := one batch's stats
    model.train()
    with torch.no_grad():
        model(torch.randn(1, 3, 16, 64, 64))
    return model.eval()


@pytest.fixture(scope='module')
def meta_ckpt50():
    """A depth-50 Hara checkpoint of meta tensors (shapes only; fast)."""
    with torch.device('meta'):
        model = RefHaraResNeXt(LAYERS[50], num_classes=400)
    return hara_checkpoint(model, 'resnext-50')


def load_tool():
    spec = importlib.util.spec_from_file_location('hara_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------
@pytest.mark.parametrize('depth', [50, 101, 152])
def test_converted_keys_and_shapes_match_reference(depth):
    with torch.device('meta'):
        ref = RefHaraResNeXt(LAYERS[depth], num_classes=400)
        ours = ResNeXt3D(depth=depth)
    converted = convert_hara_state_dict(
        hara_checkpoint(ref, f'resnext-{depth}')['state_dict'])
    expected = {'backbone.' + k: tuple(v.shape)
                for k, v in ref.state_dict().items()
                if not k.startswith('fc.')}
    assert {k: tuple(v.shape) for k, v in converted.items()} == expected
    assert {'backbone.' + k: tuple(v.shape)
            for k, v in ours.state_dict().items()} == expected
    n_ref = sum(p.numel() for n, p in ref.named_parameters()
                if not n.startswith('fc.'))
    assert sum(p.numel() for p in ours.parameters()) == n_ref


def test_resnext101_parameter_count_matches_paper():
    # Hara et al. (CVPR 2018), Table 2: ResNeXt-101 has 48.34M parameters
    # with the 400-way Kinetics classifier.
    with torch.device('meta'):
        ref = RefHaraResNeXt(LAYERS[101], num_classes=400)
        ours = ResNeXt3D(depth=101)
    fc = 2048 * 400 + 400
    assert round(sum(p.numel() for p in ref.parameters()) / 1e6, 2) == 48.34
    assert sum(p.numel() for p in ours.parameters()) + fc == sum(
        p.numel() for p in ref.parameters())
    assert ours.feat_dim == ref.fc.in_features == 2048


# --------------------------------------------------------------------------
# Numerical equivalence
# --------------------------------------------------------------------------
def test_cli_keep_fc_recognizer_matches_reference(ref50, tmp_path):
    from mmaction.registry import MODELS
    from mmengine.registry import DefaultScope
    src, dst = tmp_path / 'hara.pth', tmp_path / 'out' / 'mm.pth'
    torch.save(hara_checkpoint(ref50, 'resnext-50', epoch=42), src)
    proc = subprocess.run(
        [sys.executable, TOOL, str(src), str(dst), '--keep-fc'],
        capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'resnext-50' in proc.stdout and 'cls_head.fc_cls' in proc.stdout

    saved = torch.load(dst, map_location='cpu', weights_only=True)
    assert set(saved) == {'state_dict', 'meta'}
    meta = saved['meta']
    assert (meta['arch'], meta['depth'], meta['cardinality'], meta['epoch'],
            meta['num_classes'], meta['fc_kept']) == ('resnext-50', 50, 32,
                                                      42, NUM_CLASSES, True)
    assert meta['added_num_batches_tracked'] == 0
    state_dict = saved['state_dict']
    assert torch.equal(state_dict['cls_head.fc_cls.weight'], ref50.fc.weight)
    assert all(k.startswith(('backbone.', 'cls_head.fc_cls.'))
               for k in state_dict)

    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(
            dict(type='Recognizer3D',
                 backbone=dict(type='ResNeXt3D', depth=50),
                 cls_head=dict(type='I3DHead', in_channels=2048,
                               num_classes=NUM_CLASSES)))
    model.load_state_dict(state_dict, strict=True)
    model.eval()
    torch.manual_seed(1)
    x = torch.randn(1, 3, 16, 64, 64)
    with torch.no_grad():
        ref_logits = ref50(x)
        logits = model(x[:, None], mode='tensor', stage='head')
    assert logits.shape == (1, NUM_CLASSES)
    torch.testing.assert_close(logits, ref_logits, atol=1e-5, rtol=1e-5)


def test_function_backbone_features_match_reference(ref50):
    converted, meta = convert_hara_checkpoint(
        hara_checkpoint(ref50, 'resnext-50'), prefix='')
    assert not any(k.startswith('fc.') or 'fc_cls' in k for k in converted)
    assert meta['fc_kept'] is False and meta['num_classes'] == NUM_CLASSES
    backbone = ResNeXt3D(depth=50)
    backbone.load_state_dict(converted, strict=True)
    backbone.eval()
    torch.manual_seed(2)
    x = torch.randn(1, 3, 8, 48, 48)  # Hara's pool (1, 2, 2) still fits
    with torch.no_grad():
        feat = backbone(x)
        ref_feat = ref50.features(x)
    assert feat.shape == (1, 2048, 1, 2, 2)
    pooled = F.adaptive_avg_pool3d(feat, 1).flatten(1)
    assert ref_feat.abs().mean() > 0.05  # a non-degenerate comparison
    torch.testing.assert_close(pooled, ref_feat, atol=1e-5, rtol=1e-5)


def test_checkpoint_without_num_batches_tracked(ref50):
    # Checkpoints written by PyTorch < 0.4 have no num_batches_tracked.
    ckpt = hara_checkpoint(ref50, 'resnext-50')
    ckpt['state_dict'] = {k: v for k, v in ckpt['state_dict'].items()
                          if not k.endswith('num_batches_tracked')}
    converted, meta = convert_hara_checkpoint(ckpt, prefix='')
    assert meta['added_num_batches_tracked'] == sum(
        isinstance(m, nn.BatchNorm3d) for m in ref50.modules())
    assert converted['bn1.num_batches_tracked'].dtype == torch.long
    assert converted['bn1.num_batches_tracked'].item() == 0
    ResNeXt3D(depth=50).load_state_dict(converted, strict=True)


def test_state_dict_without_module_prefix(meta_ckpt50):
    bare = {k[len('module.'):]: v
            for k, v in meta_ckpt50['state_dict'].items()}
    assert list(convert_hara_state_dict(bare)) == list(
        convert_hara_state_dict(meta_ckpt50['state_dict']))


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------
def edited(ckpt, drop=(), add=None, **top):
    state_dict = {k: v for k, v in ckpt['state_dict'].items()
                  if k not in drop}
    state_dict.update(add or {})
    return dict(ckpt, state_dict=state_dict, **top)


@pytest.mark.parametrize('bad, names', [
    ([1, 2], ['list']),
    ({'model': {}, 'epoch': 3}, ["'model'", "'epoch'", "'state_dict'"]),
])
def test_not_a_checkpoint(bad, names):
    with pytest.raises(HaraCheckpointError) as err:
        convert_hara_checkpoint(bad)
    for name in names:
        assert name in str(err.value)


def test_missing_keys_are_named(meta_ckpt50):
    drop = ('module.layer2.0.bn1.running_var',
            'module.layer4.0.downsample.0.weight')
    with pytest.raises(HaraCheckpointError, match='missing keys') as err:
        convert_hara_checkpoint(edited(meta_ckpt50, drop=drop))
    for key in drop:
        assert repr(key) in str(err.value)


def test_unexpected_keys_are_named(meta_ckpt50):
    extra = torch.zeros(1, device='meta')
    add = {'module.layer1.0.conv4.weight': extra,
           'module.layer3.1.downsample.0.weight': extra}
    with pytest.raises(HaraCheckpointError, match='unexpected keys') as err:
        convert_hara_checkpoint(edited(meta_ckpt50, add=add))
    for key in add:
        assert repr(key) in str(err.value)


def test_foreign_keys_are_named(meta_ckpt50):
    add = {'module.head.weight': torch.zeros(1)}
    with pytest.raises(HaraCheckpointError, match="'module.head.weight'"):
        convert_hara_checkpoint(edited(meta_ckpt50, add=add))
    converted = {'backbone.' + k[len('module.'):]: v
                 for k, v in meta_ckpt50['state_dict'].items()}
    with pytest.raises(HaraCheckpointError, match='already converted'):
        convert_hara_state_dict(converted)
    bare = {'features.0.weight': torch.zeros(1)}
    with pytest.raises(HaraCheckpointError, match="'features.0.weight'"):
        convert_hara_state_dict(bare)


def test_mixed_prefixes_are_named(meta_ckpt50):
    add = {'layer1.0.conv1.weight': torch.zeros(1)}
    with pytest.raises(HaraCheckpointError, match="'layer1.0.conv1.weight'"):
        convert_hara_checkpoint(edited(meta_ckpt50, add=add))


def test_shape_mismatch_is_named(meta_ckpt50):
    add = {'module.layer3.2.conv3.weight': torch.zeros(1, 1, 1, 1, 1)}
    with pytest.raises(HaraCheckpointError,
                       match=r"shape mismatch: 'module.layer3.2.conv3"):
        convert_hara_checkpoint(edited(meta_ckpt50, add=add))


def test_keep_fc_needs_fc(meta_ckpt50):
    ckpt = edited(meta_ckpt50, drop=('module.fc.weight', 'module.fc.bias'))
    state_dict, meta = convert_hara_checkpoint(ckpt)  # fine without fc
    assert meta['num_classes'] is None
    with pytest.raises(HaraCheckpointError, match="'module.fc.weight'"):
        convert_hara_checkpoint(ckpt, keep_fc=True)


def test_arch_is_checked(meta_ckpt50):
    with pytest.raises(HaraCheckpointError, match='ResNeXt-50'):
        convert_hara_checkpoint(dict(meta_ckpt50, arch='resnext-101'))
    with pytest.raises(HaraCheckpointError, match="'resnet-50'"):
        convert_hara_checkpoint(dict(meta_ckpt50, arch='resnet-50'))


def test_unknown_depth(meta_ckpt50):
    drop = [k for k in meta_ckpt50['state_dict']
            if k.startswith('module.layer3.5.')]
    with pytest.raises(HaraCheckpointError, match=r'\(3, 4, 5, 3\) blocks'):
        convert_hara_checkpoint(edited(meta_ckpt50, drop=drop))


def test_cli_reports_errors(tmp_path, capsys):
    tool = load_tool()
    src = tmp_path / 'not_hara.pth'
    torch.save({'model': {'w': torch.zeros(1)}}, src)
    assert tool.main([str(src), str(tmp_path / 'out.pth')]) == 1
    err = capsys.readouterr().err
    assert "'state_dict'" in err and "'model'" in err
    assert not (tmp_path / 'out.pth').exists()
    assert tool.main([str(tmp_path / 'absent.pth'),
                      str(tmp_path / 'out.pth')]) == 1
    assert 'does not exist' in capsys.readouterr().err
    unsafe = tmp_path / 'unsafe.pth'
    torch.save({'state_dict': {}, 'args': Opaque()}, unsafe)
    assert tool.main([str(unsafe), str(tmp_path / 'out.pth')]) == 1
    assert 'weights_only' in capsys.readouterr().err


class Opaque:
    """Stands for a pickled object outside torch's weights_only allow-list."""
