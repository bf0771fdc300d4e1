"""A Hara et al. checkpoint given to the teacher names the converter."""
import pytest
import torch

from hallucinet_mm.models.teachers import FrozenTeacherWrapper
from hallucinet_mm.models.teachers.frozen_teacher import TeacherCheckpointError

CONVERTER = 'tools/model_converters/hara_resnext_to_mmaction.py'


def _hara_state():
    return {
        'module.conv1.weight': torch.zeros(2, 3, 1, 1, 1),
        'module.bn1.weight': torch.zeros(2),
        'module.layer1.0.conv1.weight': torch.zeros(2, 2, 1, 1, 1),
        'module.fc.weight': torch.zeros(4, 2),
    }


@pytest.mark.parametrize('wrapped', [True, False])
def test_hara_keys_name_the_converter(tmp_path, tiny_teacher_cfg, wrapped):
    path = tmp_path / 'resnext-101-kinetics.pth'
    state = _hara_state()
    torch.save(
        dict(epoch=1, arch='resnext-101', state_dict=state, optimizer={})
        if wrapped else state, path)
    with pytest.raises(TeacherCheckpointError) as info:
        FrozenTeacherWrapper(
            model=tiny_teacher_cfg,
            checkpoint=str(path),
            input_shape=(1, 3, 16, 32, 32))
    message = str(info.value)
    assert str(path) in message and CONVERTER in message


def test_other_mismatch_keeps_generic_hint(tmp_path, tiny_teacher_cfg):
    path = tmp_path / 'other.pth'
    torch.save({'state_dict': {'backbone.foo': torch.zeros(1)}}, path)
    with pytest.raises(TeacherCheckpointError, match='revise_keys') as info:
        FrozenTeacherWrapper(
            model=tiny_teacher_cfg,
            checkpoint=str(path),
            input_shape=(1, 3, 16, 32, 32))
    assert CONVERTER not in str(info.value)
