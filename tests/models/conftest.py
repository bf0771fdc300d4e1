"""Small models shared by the model tests (tiny teacher, tiny student)."""
import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import hallucinet_mm  # noqa: F401
from hallucinet_mm.models.teachers import FrozenTeacherWrapper
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

_ROOT_CFG = 'configs/_base_/models/r3d18_tiny_teacher.py'
#: The student's normalisation (ImageNet, on 0-255 pixels).
STUDENT_MEAN = [123.675, 116.28, 103.53]
STUDENT_STD = [58.395, 57.12, 57.375]


@pytest.fixture(autouse=True)
def _mmaction_scope():
    init_default_scope('mmaction')


@pytest.fixture(scope='session')
def tiny_teacher_cfg():
    """The 64-d synthetic teacher's model dict (a Recognizer3D)."""
    import os.path as osp
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    return Config.fromfile(osp.join(root, _ROOT_CFG)).teacher_model.to_dict()


@pytest.fixture(scope='session')
def tiny_teacher_ckpt(tmp_path_factory, tiny_teacher_cfg):
    """A checkpoint of a randomly initialised tiny teacher (fixed seed)."""
    init_default_scope('mmaction')
    torch.manual_seed(0)
    wrapper = FrozenTeacherWrapper(
        model=copy.deepcopy(tiny_teacher_cfg),
        allow_random_init=True,
        input_shape=(1, 3, 16, 32, 32))
    # Non-trivial BN statistics, so "unchanged" is a real check.
    for m in wrapper.model.modules():
        if isinstance(m, torch.nn.BatchNorm3d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    path = tmp_path_factory.mktemp('teacher') / 'tiny_teacher.pth'
    torch.save({'state_dict': wrapper.model.state_dict()}, path)
    return str(path)


def student_preprocessor(with_teacher=True):
    """The MultiModalDataPreprocessor of the tiny recognizer: ImageNet
    mean and std for the student's frames and, unless ``with_teacher`` is
    False, the tiny teacher's for its clips."""
    norms = dict(imgs=dict(mean=STUDENT_MEAN, std=STUDENT_STD,
                           format_shape='NCHW'))
    if with_teacher:
        norms['teacher_imgs'] = dict(mean=[114.7748, 107.7354, 99.4750],
                                     std=[1.0, 1.0, 1.0], format_shape='NCTHW')
    return dict(
        type='MultiModalDataPreprocessor',
        preprocessors={
            name: dict(type='ActionDataPreprocessor', **norm)
            for name, norm in norms.items()
        })


def tiny_recognizer_cfg(teacher_cfg, teacher_ckpt, **overrides):
    """A HalluciNetRecognizer: ResNet-18 student at 32 px, tiny teacher."""
    cfg = dict(
        type='HalluciNetRecognizer',
        backbone=dict(type='ResNet', depth=18, pretrained=None),
        cls_head=dict(
            type='TSNHead',
            num_classes=6,
            in_channels=512,
            average_clips='prob'),
        hallu_head=dict(
            type='HallucinationHead', in_channels=512, out_channels=64),
        teacher=dict(
            type='FrozenTeacherWrapper',
            model=copy.deepcopy(teacher_cfg),
            checkpoint=teacher_ckpt,
            input_shape=(1, 3, 16, 32, 32)),
        data_preprocessor=student_preprocessor())
    cfg.update(overrides)
    return cfg


@pytest.fixture
def model(tiny_teacher_cfg, tiny_teacher_ckpt):
    """A fresh tiny_recognizer_cfg model (seed 0, weights initialised)."""
    torch.manual_seed(0)
    m = MODELS.build(tiny_recognizer_cfg(tiny_teacher_cfg, tiny_teacher_ckpt))
    m.init_weights()
    return m


def tiny_batch(labels, with_teacher=True, seed=0):
    """A batch for that model: random 32 px frames (and 16-frame teacher
    clips unless not with_teacher) with these labels."""
    g = torch.Generator().manual_seed(seed)
    inputs = dict(
        imgs=[torch.randint(0, 255, (1, 3, 32, 32), generator=g).float()
              for _ in labels])
    if with_teacher:
        inputs['teacher_imgs'] = [
            torch.randint(0, 255, (1, 3, 16, 32, 32), generator=g).float()
            for _ in labels
        ]
    samples = [ActionDataSample().set_gt_label(label) for label in labels]
    return dict(inputs=inputs, data_samples=samples)
