# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The one loading policy for Hara et al. checkpoints (hara_layout.py):
``ResNeXt3D(pretrained=...)`` and ``FrozenTeacherWrapper(checkpoint=...)``
refuse the same unconverted file and load the same converted one alike."""
import pytest
import torch

import hallucinet_mm  # noqa: F401  (registers ResNeXt3D, compat fixes)
from hallucinet_mm.models.backbones import ResNeXt3D
from hallucinet_mm.models.backbones.hara_conversion import \
    convert_hara_checkpoint
from hallucinet_mm.models.backbones.hara_layout import (CONVERTER,
                                                        HaraCheckpointError,
                                                        looks_like_hara)
from hallucinet_mm.models.teachers import FrozenTeacherWrapper
from hallucinet_mm.models.teachers.frozen_teacher import TeacherCheckpointError


@pytest.fixture(scope='module')
def hara_files(tmp_path_factory):
    """An original ResNeXt-50 checkpoint and its offline conversion."""
    torch.manual_seed(0)
    source = ResNeXt3D(depth=50)
    source.init_weights()
    state = {
        'module.' + k: v
        for k, v in source.state_dict().items()
        if not k.endswith('num_batches_tracked')
    }
    state['module.fc.weight'] = torch.randn(5, 2048)
    state['module.fc.bias'] = torch.zeros(5)
    hara = dict(epoch=3, arch='resnext-50', state_dict=state, optimizer={})
    tmp = tmp_path_factory.mktemp('hara')
    paths = dict(original=str(tmp / 'resnext-50-kinetics.pth'),
                 converted=str(tmp / 'resnext-50_mmaction.pth'))
    torch.save(hara, paths['original'])
    torch.save({'state_dict': convert_hara_checkpoint(hara, prefix='')[0]},
               paths['converted'])
    return paths, source.state_dict()


def _teacher(checkpoint):
    return FrozenTeacherWrapper(
        model=dict(type='ResNeXt3D', depth=50), checkpoint=checkpoint,
        feat_dim=2048)


def _backbone(checkpoint):
    model = ResNeXt3D(depth=50, pretrained=checkpoint)
    model.init_weights()
    return model


def test_both_entry_points_refuse_the_original(hara_files):
    paths, _ = hara_files
    original = paths['original']
    errors = []
    for build, error in ((_teacher, TeacherCheckpointError),
                         (_backbone, HaraCheckpointError)):
        with pytest.raises(error) as info:
            build(original)
        errors.append(str(info.value))
    for message in errors:
        assert original in message
        assert f'python {CONVERTER} {original}' in message


def test_both_entry_points_load_the_converted_file_alike(hara_files):
    paths, expected = hara_files
    teacher = _teacher(paths['converted']).model.state_dict()
    backbone = _backbone(paths['converted']).state_dict()
    assert set(teacher) == set(backbone) == set(expected)
    for key, value in expected.items():
        if not key.endswith('num_batches_tracked'):
            assert torch.equal(teacher[key], value), key
            assert torch.equal(backbone[key], value), key


@pytest.mark.parametrize('keys, hara', [
    (['module.conv1.weight', 'module.layer1.0.conv1.weight'], True),
    (['conv1.weight', 'layer1.0.conv1.weight', 'fc.weight'], True),
    (['conv1.weight', 'layer1.0.conv1.weight'], False),  # a bare backbone
    (['backbone.conv1.weight', 'backbone.layer1.0.conv1.weight',
      'fc.weight'], False),
    (['module.backbone.conv1.weight', 'module.cls_head.fc.weight'], False),
])
def test_looks_like_hara(keys, hara):
    assert looks_like_hara(keys) is hara
