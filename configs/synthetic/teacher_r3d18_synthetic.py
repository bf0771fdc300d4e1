# Trains the small 3D-CNN teacher (../_base_/models/r3d18_tiny_teacher.py) on
# the synthetic motion videos; it plays the role of the paper's 3D-ResNeXt-101.
_base_ = [
    '../_base_/schedules/synthetic_adam_cosine.py',
    '../_base_/models/r3d18_tiny_teacher.py',
    '../_base_/datasets/synthetic_motion.py'
]

model = {{_base_.teacher_model}}

# One 16-frame clip per video, at random in training, centred in testing.
train_pipeline = [
    dict(type='CheckedDecordInit',
             cache_bytes={{_base_.video_cache_bytes}}),
    dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=1),
    dict(type='CheckedDecordDecode'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(t, test_mode=True) if t['type'] == 'SampleFrames' else t
    for t in train_pipeline
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# The schedule's base, for 30 epochs at lr 3e-3 (the last checkpoint kept).
train_cfg = dict(max_epochs=30, val_interval=10)
optim_wrapper = dict(optimizer=dict(lr=3e-3))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=30, by_epoch=True, eta_min=1e-5)
]
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=1))
