# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for hallucinet_mm/store/spec.py: what a config expects."""
import inspect

import torch
from hallucinet_mm.models.teachers import FrozenTeacherWrapper
from hallucinet_mm.store import build_store_spec, extraction_pipeline
from hallucinet_mm.store.format import to_jsonable
from hallucinet_mm.store.spec import NORM_DEFAULTS, TEACHER_DEFAULTS
from mmaction.models.data_preprocessors import ActionDataPreprocessor
from tests.store.helpers import store_cfg


def test_teacher_defaults_are_the_wrapper_defaults():
    params = inspect.signature(FrozenTeacherWrapper.__init__).parameters
    for name, value in TEACHER_DEFAULTS.items():
        assert to_jsonable(params[name].default) == value, name


def test_norm_defaults_are_the_preprocessor_defaults():
    pre = ActionDataPreprocessor()
    x = torch.rand(1, 3, 4, 4) * 255
    out, _ = pre.preprocess([x], None, False)
    assert torch.equal(out[0], x)  # mean=None, std=None: not normalised
    assert NORM_DEFAULTS['mean'] is None and NORM_DEFAULTS['std'] is None
    assert pre.to_rgb == NORM_DEFAULTS['to_rgb']
    assert pre.format_shape == NORM_DEFAULTS['format_shape']


def test_spec_spells_defaults_out(synthetic_videos):
    """A config that writes a default equals one that leaves it out."""
    cfg = store_cfg(synthetic_videos, '/nowhere.pth', '/nowhere')
    spec = build_store_spec(cfg, 'train')
    explicit = build_store_spec(
        store_cfg(synthetic_videos, '/nowhere.pth', '/nowhere', **{
            'store_teacher.strict': True,
            'store_teacher.pool': 'avg',
            'model.data_preprocessor.preprocessors.teacher_imgs.to_rgb':
            False
        }), 'train')
    assert spec['teacher'] == explicit['teacher']
    assert spec['teacher_norm'] == explicit['teacher_norm']
    assert spec['teacher']['strict'] is True
    assert spec['checkpoint_sha256'] is None  # not a local file


def test_extraction_pipeline_is_deterministic(synthetic_videos):
    cfg = store_cfg(synthetic_videos, '/nowhere.pth', '/nowhere', **{
        'train_dataloader.dataset.pipeline.1.mode': 'random',
        'train_dataloader.dataset.pipeline.1.test_mode': False,
        'train_dataloader.dataset.pipeline.3.flip_ratio': 0.5,
    })
    pipeline = extraction_pipeline(cfg, 'train')
    types = [t['type'] for t in pipeline]
    assert types[1:] == [
        'SingleFrameSampler', types[2], 'SplitStudentTeacher'
    ]  # LoadTeacherFeatures, FormatShape and packing dropped
    assert pipeline[1]['test_mode'] and pipeline[1]['with_teacher']
    assert pipeline[3]['flip_ratio'] == 0
