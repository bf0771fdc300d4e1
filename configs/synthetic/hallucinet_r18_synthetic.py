# HalluciNet on the synthetic motion videos (the README's main job): a 2D
# ResNet-18 student sees the centre frame (random frame in training) and
# hallucinates the 64-d features the small 3D teacher
# (teacher_r3d18_synthetic.py) computes from the 16 frames starting there.
# Loss: CE + 50 * MSE(sigmoid(phi_s), sigmoid(phi_t)) (paper eq. 2).
# Train the teacher first and pass its checkpoint:
#   --cfg-options model.teacher.checkpoint=work_dirs/teacher_r3d18_synthetic/epoch_30.pth
_base_ = [
    '../_base_/default_runtime.py', '../_base_/models/r3d18_tiny_teacher.py'
]

data_root = 'data/synthetic'
dataset_type = 'CheckedVideoDataset'
num_classes = 6
student_feat_dim = 512
student_mean = [123.675, 116.28, 103.53]
student_std = [58.395, 57.12, 57.375]

model = dict(
    type='HalluciNetRecognizer',
    backbone=dict(
        type='ResNet', depth=18, pretrained=None, norm_eval=False),
    cls_head=dict(
        type='TSNHead',
        num_classes=num_classes,
        in_channels=student_feat_dim,
        dropout_ratio=0.2,
        average_clips='prob'),
    hallu_head=dict(
        type='HallucinationHead',
        in_channels=student_feat_dim,
        out_channels={{_base_.teacher_feat_dim}},
        loss_hallu=dict(type='HallucinationLoss', loss_weight=50.0)),
    teacher=dict(
        type='FrozenTeacherWrapper',
        model={{_base_.teacher_model}},
        checkpoint='work_dirs/teacher_r3d18_synthetic/epoch_30.pth',
        tap='backbone',
        input_shape=(1, 3, 16, 32, 32)),
    cls_feature='student',
    data_preprocessor=dict(
        type='MultiModalDataPreprocessor',
        preprocessors=dict(
            imgs=dict(
                type='ActionDataPreprocessor',
                mean=student_mean,
                std=student_std,
                format_shape='NCHW'),
            teacher_imgs=dict(
                type='ActionDataPreprocessor',
                mean={{_base_.teacher_mean}},
                std={{_base_.teacher_std}},
                format_shape='NCTHW'))))

# One decode call serves the student frame and the teacher clip; no flips
# (a horizontal flip turns 'move right' into 'move left').
train_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(type='SingleFrameSampler', mode='random', clip_len=16),
    dict(type='CheckedDecordDecode'),
    dict(type='SplitStudentTeacher'),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', 'teacher_imgs'))
]
# The vanilla students' training: a random frame, no teacher clip decoded.
student_train_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(type='SingleFrameSampler', mode='random', with_teacher=False),
    dict(type='CheckedDecordDecode'),
    dict(type='SplitStudentTeacher'),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', ))
]
# Test: the centre frame only; the teacher does not run.
test_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(
        type='SingleFrameSampler',
        mode='centre',
        with_teacher=False,
        test_mode=True),
    dict(type='CheckedDecordDecode'),
    dict(type='SplitStudentTeacher'),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', ))
]
# Test with the teacher too, for the test-set hallucination loss.
test_pipeline_with_teacher = [
    dict(type='CheckedDecordInit'),
    dict(type='SingleFrameSampler', mode='centre', test_mode=True),
    dict(type='CheckedDecordDecode'),
    dict(type='SplitStudentTeacher'),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', 'teacher_imgs'))
]

train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        num_classes=num_classes,
        ann_file=data_root + '/train.txt',
        data_prefix=dict(video=data_root + '/videos'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        num_classes=num_classes,
        ann_file=data_root + '/val.txt',
        data_prefix=dict(video=data_root + '/videos'),
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=16,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        num_classes=num_classes,
        ann_file=data_root + '/val.txt',
        data_prefix=dict(video=data_root + '/videos'),
        pipeline=test_pipeline_with_teacher,
        test_mode=True))

val_evaluator = dict(type='AccMetric')
test_evaluator = [dict(type='AccMetric'), dict(type='HallucinationLossMetric')]

train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=15, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=15, by_epoch=True, eta_min=1e-5)
]
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=5, max_keep_ckpts=2, save_best=None))
randomness = dict(seed=0, deterministic=False)
auto_scale_lr = dict(enable=False, base_batch_size=16)
