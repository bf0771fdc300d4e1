# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Every MTL-AQA / two-frame / pretraining config builds and runs.

Data paths are pointed at small generated fixtures (synthetic MTL-AQA
frames, synthetic UCF-style videos), torchvision students get
``weights=None`` (no downloads) and teachers get a checkpoint written here
from a freshly built teacher (the real build-time key check runs;
``allow_random_init`` is never used). What each config must do is read from
its name, ``{algorithm}_{student}[_{teacher}]_{schedule}_{dataset}.py``.
"""
import glob
import os.path as osp
from unittest import mock

import numpy as np
import pytest
import torch

import hallucinet_mm  # noqa: F401  (registers components, applies compat)
from mmaction.registry import DATASETS, MODELS
from mmaction.structures import ActionDataSample
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper
from mmengine.runner.checkpoint import load_checkpoint
from config_fixtures import CONFIG_DIR, load_pointed

PAPER_PATTERNS = ('mtl_aqa/*.py', 'pretraining/*.py',
                  'ucf101/hallucinet-[12]f_*.py')
SYNTHETIC_PATTERNS = ('synthetic/*mtl-aqa*.py', )
METRICS = {
    'ucf101': ['AccMetric'],
    'mtl-aqa-dive': ['DiveAccuracyMetric'],
    'mtl-aqa-score': ['SpearmanMetric'],
}
PRETRAIN_HALLU = 'pretraining/hallucinet-pretrain_vgg11bn_resnext101-k400_' \
    '1xb25-1x1x1-50e_ucf101.py'
DIVE_FROM_PRETRAIN_HALLU = 'pretraining/hallucinet_ucf101-hallu-pretrained-' \
    'vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-dive.py'


def _configs(patterns):
    return sorted({
        osp.relpath(p, CONFIG_DIR)
        for pattern in patterns
        for p in glob.glob(osp.join(CONFIG_DIR, pattern))
    })


PAPER_CONFIGS = _configs(PAPER_PATTERNS)
SYNTHETIC_CONFIGS = _configs(SYNTHETIC_PATTERNS)


def promised(name):
    """What a config's name promises (MMAction2's naming scheme).

    ``{algorithm}_{student}[_{teacher}]_{schedule}_{dataset}``: a
    ``hallucinet*`` algorithm has a teacher field and trains with the
    teacher's clips; ``hallucinet-1f``/``-2f`` also test with them (Tables
    7-8); the schedule is ``{gpus}xb{batch}-{frames}x{interval}x{steps}-
    {epochs}e``.
    """
    fields = osp.splitext(osp.basename(name))[0].split('_')
    algorithm, schedule, dataset = fields[0], fields[-2], fields[-1]
    train_teacher = algorithm.startswith('hallucinet')
    assert len(fields) == (5 if train_teacher else 4), name
    gpus_batch, sampling, epochs = schedule.split('-')
    frames, _, steps = (int(x) for x in sampling.split('x'))
    test_teacher = algorithm in ('hallucinet-1f', 'hallucinet-2f')
    metrics = METRICS[dataset.replace('synthetic-', '')]
    return dict(
        data='ucf101' if dataset == 'ucf101' else 'mtl_aqa',
        train_teacher=train_teacher,
        test_teacher=test_teacher,
        fps=frames,
        num_steps=steps,
        batch_size=int(gpus_batch.split('xb')[1]),
        epochs=int(epochs.rstrip('e')),
        metrics=metrics + ['HallucinationLossMetric'] * test_teacher)


@pytest.fixture
def pointed(synthetic_videos, mtl_aqa_data, unlabeled_ann, teacher_ckpts):
    """Loads a config pointed at the fixtures."""
    return lambda name: load_pointed(name, synthetic_videos, mtl_aqa_data,
                                     unlabeled_ann, teacher_ckpts)


def _metric_types(evaluator):
    if isinstance(evaluator, dict):
        evaluator = [evaluator]
    return [m['type'] for m in evaluator]


def test_the_configs_are_found():
    assert len(PAPER_CONFIGS) == 14 and len(SYNTHETIC_CONFIGS) == 2


def test_configs_name_their_paper_setting():
    for name in PAPER_CONFIGS + SYNTHETIC_CONFIGS:
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


@pytest.mark.parametrize('name', PAPER_CONFIGS, ids=PAPER_CONFIGS)
def test_paper_config_builds(name, pointed):
    expect = promised(name)
    data, fps, num_steps = expect['data'], expect['fps'], expect['num_steps']
    train_teacher = expect['train_teacher']
    test_teacher = expect['test_teacher']
    cfg = pointed(name)
    assert _metric_types(cfg.test_evaluator) == expect['metrics']
    assert cfg.train_dataloader.batch_size == expect['batch_size']
    assert cfg.train_cfg.max_epochs == expect['epochs']

    model = MODELS.build(cfg.model)
    assert model.frames_per_step == fps
    assert (model.teacher is not None) == train_teacher
    if train_teacher:
        assert model.teacher.checkpoint == cfg.model.teacher.checkpoint
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

    if name.startswith('pretraining/') and data == 'mtl_aqa':
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
    if data == 'mtl_aqa' and 'SpearmanMetric' not in expect['metrics']:
        assert out[0].pred_dive_labels.shape == (5, )
    else:
        assert 'pred_score' in out[0]
    assert ('hallu_loss' in out[0]) == test_teacher


@pytest.mark.parametrize('name', SYNTHETIC_CONFIGS)
def test_synthetic_config_trains_and_tests(name, pointed):
    expect = promised(name)
    cfg = pointed(name)
    assert _metric_types(cfg.test_evaluator) == expect['metrics']
    assert cfg.train_dataloader.batch_size == expect['batch_size']
    assert cfg.train_cfg.max_epochs == expect['epochs'] == 2
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
    is_aqa = name.endswith('-score.py')
    assert ('loss_score' in losses) == is_aqa
    assert ('loss_position' in losses) == (not is_aqa)

    test_set = DATASETS.build(cfg.test_dataloader.dataset)
    sample = test_set[0]
    assert 'teacher_imgs' not in sample['inputs']
    model.eval()
    out = model.test_step(pseudo_collate([sample]))
    assert ('pred_score' if is_aqa else 'pred_dive_labels') in out[0]


def test_load_from_ucf101_pretraining_warns_and_loads_backbone(
        tmp_path, pointed):
    """What `load_from` does with a UCF-101 checkpoint in the dive configs.

    The Runner loads `load_from` with mmengine's `load_checkpoint(...,
    strict=False)`; a checkpoint with another head only warns. The
    backbone (and a same-shaped hallucination head) are loaded.
    """
    pre_cfg = pointed(PRETRAIN_HALLU)
    dive_cfg = pointed(DIVE_FROM_PRETRAIN_HALLU)
    pre_stem = osp.splitext(osp.basename(PRETRAIN_HALLU))[0]
    assert dive_cfg.load_from == f'work_dirs/{pre_stem}/epoch_50.pth'
    assert dive_cfg.model.backbone.weights is None
    pretrained = MODELS.build(pre_cfg.model)
    ckpt = str(tmp_path / 'epoch_50.pth')
    torch.save({'state_dict': pretrained.state_dict(), 'meta': {}}, ckpt)

    dive = MODELS.build(dive_cfg.model)
    # What tools/train.py does with the config's load_from_allow_missing.
    dive.allow_missing_keys = tuple(dive_cfg.load_from_allow_missing)
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
