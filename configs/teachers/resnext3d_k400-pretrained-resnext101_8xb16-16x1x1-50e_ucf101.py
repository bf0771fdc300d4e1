# The teacher's own training: Hara et al.'s 3D-ResNeXt-101 (cardinality 32,
# 16x112x112 clips) fine-tuned on UCF-101 split 1 from its Kinetics weights, as
# in "Can spatiotemporal 3D CNNs retrace the history of 2D CNNs?". Hara's
# preprocessing: resize to 171x128, crop 112, 0-255 pixels minus [114.7748,
# 107.7354, 99.4750], std 1. Its checkpoint then serves as
# model.teacher.checkpoint in
# ../ucf101/hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py (keys
# backbone.*).
#   python tools/model_converters/hara_resnext_to_mmaction.py \
#       resnext-101-kinetics.pth checkpoints/resnext-101-kinetics_mmaction.pth
#   tools/dist_train.sh configs/teachers/resnext3d_k400-pretrained-resnext101_8xb16-16x1x1-50e_ucf101.py 8
_base_ = [
    'mmaction::_base_/schedules/sgd_50e.py', '../_base_/default_runtime.py',
    '../_base_/models/resnext101_kinetics_teacher.py',
    '../_base_/datasets/ucf101_single_frame.py'
]

model = dict(
    type='Recognizer3D',
    backbone={{_base_.teacher.model.backbone}},
    cls_head=dict(
        type='I3DHead',
        in_channels={{_base_.teacher_feat_dim}},
        num_classes={{_base_.num_classes}},
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean={{_base_.teacher_mean}},
        std={{_base_.teacher_std}},
        format_shape='NCTHW'))
load_from = {{_base_.teacher_checkpoint}}

# 16-frame clips with Hara's resize and crop (the teacher side of the
# HalluciNet pipelines, ../_base_/datasets/ucf101_single_frame.py).
clip_sampler = dict(
    type='SampleFrames', clip_len=16, frame_interval=1, num_clips=1)
clip_format = [
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_pipeline = [
    _base_.decode_init, clip_sampler, _base_.decode,
    dict(type='Resize', scale=(171, 128), keep_ratio=False),
    dict(type='RandomCrop', size=112),
    dict(type='Flip', flip_ratio=0.5), *clip_format
]
val_pipeline = [
    _base_.decode_init,
    dict(clip_sampler, test_mode=True), _base_.decode,
    *_base_.teacher_pipeline, *clip_format
]
test_pipeline = [
    _base_.decode_init,
    dict(clip_sampler, num_clips=10, test_mode=True), _base_.decode,
    *_base_.teacher_pipeline, *clip_format
]
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=16, dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(batch_size=1, dataset=dict(pipeline=test_pipeline))

# Fine-tuning from Kinetics: a small lr (8 GPUs x 16 clips).
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-3),
    clip_grad=dict(max_norm=40, norm_type=2))
default_hooks = dict(checkpoint=dict(interval=5, save_best='acc/top1'))
auto_scale_lr = dict(enable=False, base_batch_size=128)
