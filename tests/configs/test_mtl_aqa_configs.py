# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Every MTL-AQA / two-frame / pretraining config builds and runs.

Data paths are pointed at small generated fixtures (synthetic MTL-AQA
frames, synthetic UCF-style videos), torchvision students get
``weights=None`` (no downloads) and teachers get a checkpoint written here
from a freshly built teacher (the real build-time key check runs;
``allow_random_init`` is never used).
"""
import glob
import os.path as osp
import sys
from unittest import mock

import numpy as np
import pytest
import torch

import hallucinet_mm  # noqa: F401  (registers components, applies compat)
from mmaction.registry import DATASETS, MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import load_checkpoint

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)
from tools.data.make_synthetic_mtl_aqa import \
    make_synthetic_mtl_aqa  # noqa: E402
from tools.data.make_synthetic_videos import \
    make_synthetic_dataset  # noqa: E402

CONFIG_DIR = osp.join(REPO_ROOT, 'configs')
FIELDS = ('position', 'armstand', 'rotation_type', 'ss_no', 'tw_no')

# name: (data, frames_per_step, teacher clips in train, in test, metrics)
PAPER_CONFIGS = {
    'mtl_aqa/hallucinet_vgg11_dive_mtl_aqa.py':
    ('mtl_aqa', 1, True, False, ['DiveAccuracyMetric']),
    'mtl_aqa/vanilla_vgg11_dive_mtl_aqa.py':
    ('mtl_aqa', 1, False, False, ['DiveAccuracyMetric']),
    'mtl_aqa/hallucinet_vgg11_aqa_mtl_aqa.py':
    ('mtl_aqa', 1, True, False, ['SpearmanMetric']),
    'mtl_aqa/vanilla_vgg11_aqa_mtl_aqa.py':
    ('mtl_aqa', 1, False, False, ['SpearmanMetric']),
    'mtl_aqa/hallucinet_vgg11_1f_dive_mtl_aqa.py':
    ('mtl_aqa', 1, True, True,
     ['DiveAccuracyMetric', 'HallucinationLossMetric']),
    'mtl_aqa/hallucinet_vgg11_2f_dive_mtl_aqa.py':
    ('mtl_aqa', 2, True, True,
     ['DiveAccuracyMetric', 'HallucinationLossMetric']),
    'ucf101/hallucinet_vgg11_1f_ucf101.py':
    ('ucf101', 1, True, True, ['AccMetric', 'HallucinationLossMetric']),
    'ucf101/hallucinet_vgg11_2f_ucf101.py':
    ('ucf101', 2, True, True, ['AccMetric', 'HallucinationLossMetric']),
    'pretraining/ucf101_pretrain_with_hallucination.py':
    ('ucf101', 1, True, False, ['AccMetric']),
    'pretraining/ucf101_pretrain_without_hallucination.py':
    ('ucf101', 1, False, False, ['AccMetric']),
    'pretraining/dive_from_ucf101_with_hallucination.py':
    ('mtl_aqa', 1, True, False, ['DiveAccuracyMetric']),
    'pretraining/dive_from_ucf101_without_hallucination.py':
    ('mtl_aqa', 1, True, False, ['DiveAccuracyMetric']),
    'pretraining/vanilla_dive_from_ucf101_with_hallucination.py':
    ('mtl_aqa', 1, False, False, ['DiveAccuracyMetric']),
    'pretraining/vanilla_dive_from_ucf101_without_hallucination.py':
    ('mtl_aqa', 1, False, False, ['DiveAccuracyMetric']),
}
SYNTHETIC_CONFIGS = {
    'synthetic/hallucinet_r18_dive_synthetic_mtl_aqa.py': ['DiveAccuracyMetric'],
    'synthetic/hallucinet_r18_aqa_synthetic_mtl_aqa.py': ['SpearmanMetric'],
}


@pytest.fixture(scope='module', autouse=True)
def mmaction_scope():
    init_default_scope('mmaction')


@pytest.fixture(scope='module')
def mtl_aqa_root(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('mtl_aqa'))
    make_synthetic_mtl_aqa(out, frames_per_dive=(40, 50), seed=0)
    return out


@pytest.fixture(scope='module')
def ucf_root(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('ucf101'))
    # 32x32: decord misreads widths 8, 12, 16, 24, 48 and 72.
    make_synthetic_dataset(
        out,
        num_classes=2,
        videos_per_class_train=1,
        videos_per_class_val=1,
        num_frames=24,
        height=32,
        width=32)
    return out


def _save_teacher(model_cfg, path):
    teacher = MODELS.build(model_cfg)
    torch.save({'state_dict': teacher.state_dict()}, path)
    return path


@pytest.fixture(scope='session')
def resnext101_ckpt(tmp_path_factory):
    """A checkpoint of the paper's (randomly initialised) ResNeXt-101."""
    cfg = Config.fromfile(
        osp.join(CONFIG_DIR, '_base_/models/resnext101_kinetics_teacher.py'))
    path = str(tmp_path_factory.mktemp('teacher') / 'resnext101.pth')
    init_default_scope('mmaction')
    return _save_teacher(cfg.teacher.model.to_dict(), path)


@pytest.fixture(scope='session')
def tiny_teacher_ckpt(tmp_path_factory):
    cfg = Config.fromfile(
        osp.join(CONFIG_DIR, '_base_/models/r3d18_tiny_teacher.py'))
    path = str(tmp_path_factory.mktemp('tiny_teacher') / 'tiny.pth')
    init_default_scope('mmaction')
    return _save_teacher(cfg.teacher_model.to_dict(), path)


def _load_cfg(name, data_root, teacher_ckpt, data='mtl_aqa'):
    """The config with its data and checkpoints pointed at the fixtures."""
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name))
    if cfg.model.backbone.type.startswith('torchvision.'):
        cfg.model.backbone.weights = None
    if cfg.model.get('teacher'):
        cfg.model.teacher.checkpoint = teacher_ckpt
    for split in ('train', 'val', 'test'):
        dataset = cfg[f'{split}_dataloader'].dataset
        if data == 'ucf101':
            dataset.ann_file = osp.join(
                data_root, 'train.txt' if split == 'train' else 'val.txt')
            dataset.data_prefix = dict(video=osp.join(data_root, 'videos'))
        else:
            dataset.data_root = data_root
    return cfg


def _metric_types(evaluator):
    if isinstance(evaluator, dict):
        evaluator = [evaluator]
    return [m['type'] for m in evaluator]


def test_every_config_is_tested():
    found = set()
    for pattern in ('mtl_aqa/*.py', 'pretraining/*.py',
                    'ucf101/hallucinet_vgg11_[12]f_*.py',
                    'synthetic/*mtl_aqa.py'):
        found |= {
            osp.relpath(p, CONFIG_DIR)
            for p in glob.glob(osp.join(CONFIG_DIR, pattern))
        }
    assert found == set(PAPER_CONFIGS) | set(SYNTHETIC_CONFIGS)


def test_configs_name_their_paper_setting():
    for name in list(PAPER_CONFIGS) + list(SYNTHETIC_CONFIGS):
        with open(osp.join(CONFIG_DIR, name)) as f:
            header = f.readline()
        assert header.startswith('#') and (
            'Paper' in header or 'stand-in' in header), name


def _check_sample(sample, data, num_student, teacher_steps):
    inputs = sample['inputs']
    side = 224
    assert tuple(inputs['imgs'].shape) == (num_student, 3, side, side)
    if teacher_steps:
        assert tuple(inputs['teacher_imgs'].shape) == (teacher_steps, 3, 16,
                                                       112, 112)
    else:
        assert 'teacher_imgs' not in inputs
    data_sample = sample['data_samples']
    if data == 'mtl_aqa':
        assert np.asarray(data_sample.dive_labels).shape == (5, )
        assert 'final_score' in data_sample
    else:
        assert 'gt_label' in data_sample


def _fake_batch(data, num_steps, frames_per_step, with_teacher):
    """A 1-sample batch small enough for VGG11 and ResNeXt-101 on a CPU.

    Student frames 32x32 (VGG11's 5 poolings leave 1x1), teacher clips
    8x16x16 (ResNeXt-101's strides leave 1x1x1).
    """
    inputs = dict(
        imgs=[torch.randint(0, 255, (num_steps * frames_per_step, 3, 32,
                                     32)).float()])
    if with_teacher:
        inputs['teacher_imgs'] = [
            torch.randint(0, 255, (num_steps, 3, 8, 16, 16)).float()
        ]
    sample = ActionDataSample()
    if data == 'mtl_aqa':
        sample.set_field(np.array([0, 1, 2, 3, 4]), 'dive_labels')
        sample.set_field(55.5, 'final_score')
    else:
        sample.set_gt_label(1)
    return dict(inputs=inputs, data_samples=[sample])


@pytest.mark.parametrize('name', sorted(PAPER_CONFIGS))
def test_paper_config_builds(name, mtl_aqa_root, ucf_root, resnext101_ckpt):
    data, fps, train_teacher, test_teacher, metrics = PAPER_CONFIGS[name]
    root = mtl_aqa_root if data == 'mtl_aqa' else ucf_root
    cfg = _load_cfg(name, root, resnext101_ckpt, data)
    assert _metric_types(cfg.test_evaluator) == metrics
    num_steps = 6 if data == 'mtl_aqa' else 1

    model = MODELS.build(cfg.model)
    assert model.frames_per_step == fps
    assert (model.teacher is not None) == train_teacher
    if train_teacher:
        assert model.teacher.checkpoint == resnext101_ckpt
        assert model.hallu_head.out_channels == 2048
        assert model.hallu_head.in_channels == 512 * fps
        assert model.hallu_head.loss_hallu.loss_weight == 50
    if data == 'mtl_aqa':
        assert model.cls_head.in_channels == 512 * fps
        assert model.cls_head.hidden_channels == 256
    else:
        assert model.cls_head.num_classes == 101

    train_set = DATASETS.build(cfg.train_dataloader.dataset)
    _check_sample(train_set[0], data, num_steps * fps,
                  num_steps if train_teacher else 0)
    test_set = DATASETS.build(cfg.test_dataloader.dataset)
    _check_sample(test_set[0], data, num_steps * fps,
                  num_steps if test_teacher else 0)
    val_set = DATASETS.build(cfg.val_dataloader.dataset)
    _check_sample(val_set[0], data, num_steps * fps, 0)

    if name.startswith('pretraining/') and 'dive' in name:
        return  # the models of configs/mtl_aqa/, stepped there
    # One optimisation step and one test step on small inputs (2 steps).
    num_steps = min(num_steps, 2)
    model.train()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-3))
    losses = model.train_step(
        _fake_batch(data, num_steps, fps, train_teacher), optim)
    assert ('loss_hallu' in losses) == train_teacher
    assert all(torch.isfinite(v) for v in losses.values())
    model.eval()
    out = model.test_step(_fake_batch(data, num_steps, fps, test_teacher))
    if data == 'mtl_aqa' and 'SpearmanMetric' not in metrics:
        assert out[0].pred_dive_labels.shape == (5, )
    else:
        assert 'pred_score' in out[0]
    assert ('hallu_loss' in out[0]) == test_teacher


@pytest.mark.parametrize('name', sorted(SYNTHETIC_CONFIGS))
def test_synthetic_config_trains_and_tests(name, mtl_aqa_root,
                                           tiny_teacher_ckpt):
    cfg = _load_cfg(name, mtl_aqa_root, tiny_teacher_ckpt)
    assert _metric_types(cfg.test_evaluator) == SYNTHETIC_CONFIGS[name]
    assert cfg.train_cfg.max_epochs == 2
    model = MODELS.build(cfg.model)
    train_set = DATASETS.build(cfg.train_dataloader.dataset)
    batch = pseudo_collate([train_set[0], train_set[1]])
    assert tuple(batch['inputs']['imgs'][0].shape) == (3, 3, 32, 32)
    assert tuple(batch['inputs']['teacher_imgs'][0].shape) == (3, 3, 16, 32,
                                                               32)
    model.train()
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    losses = model.train_step(batch, optim)
    assert 'loss_hallu' in losses
    is_aqa = 'r18_aqa_' in name
    assert ('loss_score' in losses) == is_aqa
    assert ('loss_position' in losses) == (not is_aqa)

    test_set = DATASETS.build(cfg.test_dataloader.dataset)
    sample = test_set[0]
    assert 'teacher_imgs' not in sample['inputs']
    model.eval()
    out = model.test_step(pseudo_collate([sample]))
    assert ('pred_score' if is_aqa else 'pred_dive_labels') in out[0]


def test_load_from_ucf101_pretraining_warns_and_loads_backbone(
        tmp_path, resnext101_ckpt, mtl_aqa_root, ucf_root):
    """What `load_from` does with a UCF-101 checkpoint in the dive configs.

    The Runner loads `load_from` with mmengine's `load_checkpoint(...,
    strict=False)`; a checkpoint with another head only warns. The
    backbone (and a same-shaped hallucination head) are loaded.
    """
    pre_cfg = _load_cfg('pretraining/ucf101_pretrain_with_hallucination.py',
                        ucf_root, resnext101_ckpt, 'ucf101')
    dive_cfg = _load_cfg('pretraining/dive_from_ucf101_with_hallucination.py',
                         mtl_aqa_root, resnext101_ckpt)
    assert dive_cfg.load_from == \
        'work_dirs/ucf101_pretrain_with_hallucination/epoch_50.pth'
    assert dive_cfg.model.backbone.weights is None
    pretrained = MODELS.build(pre_cfg.model)
    ckpt = str(tmp_path / 'epoch_50.pth')
    torch.save({'state_dict': pretrained.state_dict(), 'meta': {}}, ckpt)

    dive = MODELS.build(dive_cfg.model)
    dive.init_weights()
    lstm_before = dive.cls_head.lstm.weight_ih_l0.clone()
    with mock.patch('mmengine.runner.checkpoint.print_log') as log:
        load_checkpoint(
            dive,
            ckpt,
            map_location='cpu',
            strict=False,
            revise_keys=[(r'^module.', '')])
    messages = ' '.join(str(c.args[0]) for c in log.call_args_list)
    assert 'unexpected key in source state_dict: cls_head.fc_cls' in messages
    assert 'missing keys in source state_dict: cls_head.lstm' in messages
    src = pretrained.state_dict()
    for key, value in dive.state_dict().items():
        if key.startswith(('backbone.', 'hallu_head.')):
            assert torch.equal(value, src[key]), key
    assert torch.equal(dive.cls_head.lstm.weight_ih_l0, lstm_before)
