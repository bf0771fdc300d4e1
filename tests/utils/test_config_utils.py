"""Tests for the config helpers used by tools/test.py."""
from mmengine.config import Config

from hallucinet_mm.utils import drop_unused_teacher, pipeline_collects

STUDENT_ONLY = [
    dict(type='SingleFrameSampler', with_teacher=False),
    dict(type='PackActionInputs', collect_keys=('imgs', ))
]
WITH_TEACHER = [
    dict(type='SingleFrameSampler'),
    dict(type='PackActionInputs', collect_keys=('imgs', 'teacher_imgs'))
]


def _cfg(pipeline, teacher=dict(type='FrozenTeacherWrapper')):
    return Config(
        dict(
            model=dict(type='HalluciNetRecognizer', teacher=teacher),
            test_dataloader=dict(dataset=dict(pipeline=pipeline))))


def test_pipeline_collects():
    assert pipeline_collects(WITH_TEACHER, 'teacher_imgs')
    assert not pipeline_collects(STUDENT_ONLY, 'teacher_imgs')
    assert not pipeline_collects(None, 'imgs')


def test_teacher_dropped_only_when_unused():
    cfg = _cfg(STUDENT_ONLY)
    assert drop_unused_teacher(cfg) and cfg.model.teacher is None
    cfg = _cfg(WITH_TEACHER)
    assert not drop_unused_teacher(cfg) and cfg.model.teacher is not None
    assert not drop_unused_teacher(_cfg(STUDENT_ONLY, teacher=None))
    other = Config(dict(model=dict(type='Recognizer2D')))
    assert not drop_unused_teacher(other)


def test_shipped_ucf_config_tests_without_teacher():
    cfg = Config.fromfile('configs/hallucinet_vgg11_ucf.py')
    assert drop_unused_teacher(cfg)
    cfg = Config.fromfile('configs/ucf101/hallucinet-1f_vgg11bn_resnext101-k400_'
                          '1xb25-1x1x1-50e_ucf101.py')
    assert not drop_unused_teacher(cfg)
