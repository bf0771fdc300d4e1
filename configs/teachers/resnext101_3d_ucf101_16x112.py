# The teacher's own training: Hara et al.'s 3D-ResNeXt-101 (cardinality 32,
# 16x112x112 clips) fine-tuned on UCF-101 split 1 from its Kinetics weights,
# as in "Can spatiotemporal 3D CNNs retrace the history of 2D CNNs?". Hara's
# preprocessing: resize to 171x128, crop 112, 0-255 pixels minus
# [114.7748, 107.7354, 99.4750], std 1. Its checkpoint then serves as
# model.teacher.checkpoint in ../hallucinet_vgg11_ucf.py (keys backbone.*).
#   python tools/model_converters/hara_resnext_to_mmaction.py \
#       resnext-101-kinetics.pth checkpoints/resnext-101-kinetics_mmaction.pth
#   tools/dist_train.sh configs/teachers/resnext101_3d_ucf101_16x112.py 8
_base_ = [
    'mmaction::_base_/schedules/sgd_50e.py', '../_base_/default_runtime.py'
]

model = dict(
    type='Recognizer3D',
    backbone=dict(type='ResNeXt3D', depth=101),
    cls_head=dict(
        type='I3DHead',
        in_channels=2048,
        num_classes=101,
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[114.7748, 107.7354, 99.4750],
        std=[1.0, 1.0, 1.0],
        format_shape='NCTHW'))
load_from = 'checkpoints/resnext-101-kinetics_mmaction.pth'

dataset_type = 'CheckedVideoDataset'
data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
ann_file_val = 'data/ucf101/ucf101_val_split_1_videos.txt'

train_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(171, 128), keep_ratio=False),
    dict(type='RandomCrop', size=112),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(
        type='SampleFrames',
        clip_len=16,
        frame_interval=1,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(171, 128), keep_ratio=False),
    dict(type='CenterCrop', crop_size=112),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(
        type='SampleFrames',
        clip_len=16,
        frame_interval=1,
        num_clips=10,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(171, 128), keep_ratio=False),
    dict(type='CenterCrop', crop_size=112),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root),
        pipeline=test_pipeline,
        test_mode=True))
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator

# Fine-tuning from Kinetics: a small lr (8 GPUs x 16 clips).
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-3),
    clip_grad=dict(max_norm=40, norm_type=2))
default_hooks = dict(checkpoint=dict(interval=5, save_best='acc/top1'))
auto_scale_lr = dict(enable=False, base_batch_size=128)
