"""Strict model loading: a checkpoint that is not the model's is refused."""
import copy
from types import SimpleNamespace
from unittest import mock

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.runner.checkpoint import load_checkpoint

from hallucinet_mm.engine.checkpoint_files import find_resume_checkpoint
from hallucinet_mm.engine.train_checks import check_start_checkpoint
from hallucinet_mm.models.checkpoint_checks import (CheckpointMismatchError,
                                                    check_state_dict,
                                                    enable_strict_loading,
                                                    load_trained_model)


class Student(nn.Module):

    def __init__(self, num_classes=3):
        super().__init__()
        self.backbone = nn.Linear(4, 5)
        self.cls_head = nn.Linear(5, num_classes)


def _save(path, module):
    torch.save({'state_dict': module.state_dict(), 'meta': {}}, path)
    return str(path)


def test_teacher_checkpoint_is_refused_naming_file_and_keys(tmp_path):
    teacher = _save(tmp_path / 'teacher.pth', nn.Conv3d(3, 2, 1))
    with pytest.raises(CheckpointMismatchError) as err:
        load_trained_model(Student(), teacher)
    msg = str(err.value)
    assert teacher in msg
    assert "4 of the model's 4 keys are missing: backbone.weight" in msg
    assert "holds none of the model's keys (its first keys: bias, weight)" \
        in msg


def test_other_class_count_is_refused_and_allowed_by_name(tmp_path):
    other = _save(tmp_path / 'other.pth', Student(num_classes=7))
    with pytest.raises(CheckpointMismatchError,
                       match=r'cls_head.weight \(7, 5\) vs \(3, 5\)'):
        load_trained_model(Student(), other)
    model = Student()
    load_trained_model(model, other, allow_missing=['cls_head.*'])
    assert torch.equal(model.backbone.weight,
                       torch.load(other)['state_dict']['backbone.weight'])


def test_mmengine_load_checkpoint_is_strict_with_the_pre_hook(tmp_path):
    """What init_recognizer does (load_checkpoint, strict=False) is refused
    for a model that enabled strict loading, naming the file."""
    model = Student()
    enable_strict_loading(model)
    wrong = _save(tmp_path / 'wrong.pth', nn.Linear(4, 5))
    with pytest.raises(CheckpointMismatchError) as err:
        load_checkpoint(model, wrong, map_location='cpu')
    assert wrong in str(err.value)
    assert 'Student.allow_missing_keys' in str(err.value)
    good = _save(tmp_path / 'good.pth', Student())
    load_checkpoint(model, good, map_location='cpu')  # loads


def test_plugin_recognizer_loads_strictly(tmp_path):
    """A HalluciNetRecognizer built from a config refuses, in MMEngine's
    load_checkpoint (init_recognizer's path), a checkpoint of another
    class count."""
    from mmengine.registry import init_default_scope

    from mmaction.registry import MODELS
    init_default_scope('mmaction')
    cfg = dict(
        type='HalluciNetRecognizer',
        backbone=dict(type='torchvision.resnet18', weights=None),
        cls_head=dict(type='TSNHead', num_classes=2, in_channels=512),
        data_preprocessor=dict(type='ActionDataPreprocessor'))
    other = MODELS.build(
        copy.deepcopy(dict(cfg, cls_head=dict(cfg['cls_head'],
                                              num_classes=5))))
    path = _save(tmp_path / 'five_classes.pth', other)
    with pytest.raises(CheckpointMismatchError) as err:
        load_checkpoint(MODELS.build(copy.deepcopy(cfg)), path,
                        map_location='cpu')
    assert path in str(err.value)
    assert 'cls_head.fc_cls.weight (5, 512) vs (2, 512)' in str(err.value)
    # MMAction2's inference API (demo, export, TorchStudent) takes the same
    # path.
    from mmaction.apis import init_recognizer
    with pytest.raises(CheckpointMismatchError, match=path):
        init_recognizer(Config(dict(model=copy.deepcopy(cfg))), path,
                        device='cpu')


def _runner(model):
    return SimpleNamespace(model=model, logger=mock.MagicMock())


def test_load_from_and_resume_are_checked_before_training(tmp_path):
    model = Student()
    other = _save(tmp_path / 'other.pth', Student(num_classes=7))
    cfg = Config(dict(load_from=other, load_from_allow_missing=[]))
    with pytest.raises(CheckpointMismatchError) as err:
        check_start_checkpoint(_runner(model), cfg, 'my_config.py')
    assert other in str(err.value) and 'load_from, config my_config.py' \
        in str(err.value)
    assert 'load_from_allow_missing' in str(err.value)
    cfg.load_from_allow_missing = ['cls_head.*']
    check_start_checkpoint(_runner(model), cfg, 'my_config.py')
    assert model.allow_missing_keys == ('cls_head.*', )
    cfg.resume = True
    with pytest.raises(ValueError, match='my_config.py: load_from_allow_'
                       'missing=.*with --resume'):
        check_start_checkpoint(_runner(model), cfg, 'my_config.py')
    cfg.load_from_allow_missing = []
    with pytest.raises(CheckpointMismatchError,
                       match='resume from, config my_config.py'):
        check_start_checkpoint(_runner(model), cfg, 'my_config.py')


def test_state_dict_check_lists_only_the_first_mismatches():
    model = nn.Sequential(*[nn.Linear(1, 1) for _ in range(10)])
    with pytest.raises(CheckpointMismatchError) as err:
        check_state_dict(model, {'0.weight': torch.zeros(1, 1)}, 'x.pth')
    assert '(19 in all)' in str(err.value)
    assert len(err.value.missing) == 19


def test_missing_recorded_checkpoint_says_does_not_exist(tmp_path):
    (tmp_path / 'last_checkpoint').write_text('epoch_3.pth')
    with pytest.raises(FileNotFoundError) as err:
        find_resume_checkpoint(str(tmp_path))
    msg = str(err.value)
    assert f'{tmp_path}/epoch_3.pth does not exist' in msg
    assert ' exists' not in msg.replace('does not exist', '')


def test_teacher_refuses_a_student_checkpoint(tmp_path):
    """FrozenTeacherWrapper is strict already: a student's state dict as
    the teacher checkpoint is an error at build time naming the file."""
    from mmengine.registry import init_default_scope

    from hallucinet_mm.models.teachers import FrozenTeacherWrapper
    from hallucinet_mm.models.teachers.frozen_teacher import \
        TeacherCheckpointError
    from tests.store.helpers import TEACHER_CFG
    init_default_scope('mmaction')
    student = _save(tmp_path / 'student.pth', Student())
    with pytest.raises(TeacherCheckpointError) as err:
        FrozenTeacherWrapper(
            model=Config.fromfile(TEACHER_CFG).teacher_model.to_dict(),
            checkpoint=student,
            input_shape=(1, 3, 16, 32, 32))
    assert f'teacher checkpoint {student} does not match' in str(err.value)
    assert 'missing keys' in str(err.value)


def test_damaged_checkpoint_record_is_named(tmp_path):
    record = tmp_path / 'last_checkpoint'
    record.write_bytes(b'\x89\xff\x00epoch')
    with pytest.raises(ValueError, match='last_checkpoint:1: the checkpoint '
                       'record holds a NUL byte'):
        find_resume_checkpoint(str(tmp_path))
    record.write_text('\n')
    with pytest.raises(FileNotFoundError, match='last_checkpoint is empty'):
        find_resume_checkpoint(str(tmp_path))
