# Trains the small 3D-CNN teacher (../_base_/models/r3d18_tiny_teacher.py) on
# the synthetic motion videos; it plays the role of the paper's 3D-ResNeXt-101.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/models/r3d18_tiny_teacher.py'
]

# Synthetic motion videos (tools/data/make_synthetic_videos.py: 32x32 px,
# 40 frames, 6 motion classes). Build them with
#   python tools/data/make_synthetic_videos.py --out data/synthetic
data_root = 'data/synthetic'
dataset_type = 'CheckedVideoDataset'
num_classes = 6

model = {{_base_.teacher_model}}

# No flips: a horizontal flip turns 'move right' into 'move left'.
train_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=1),
    dict(type='CheckedDecordDecode'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(
        type='SampleFrames',
        clip_len=16,
        frame_interval=1,
        num_clips=1,
        test_mode=True),
    dict(type='CheckedDecordDecode'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
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
test_dataloader = val_dataloader

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator

train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=30, val_begin=1, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(optimizer=dict(type='Adam', lr=3e-3))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=30, by_epoch=True, eta_min=1e-5)
]
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=10, max_keep_ckpts=1, save_best=None))
randomness = dict(seed=0, deterministic=False)
auto_scale_lr = dict(enable=False, base_batch_size=16)
