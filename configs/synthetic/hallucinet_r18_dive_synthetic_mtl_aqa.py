# A tiny, CPU-sized stand-in for configs/mtl_aqa/hallucinet_vgg11_dive_mtl_aqa.py
# (paper section 4.2.1, dive recognition with hallucination), for tests and
# demos on the synthetic MTL-AQA fixture of tools/data/make_synthetic_mtl_aqa.py
# (32x32 frames):
#   python tools/data/make_synthetic_mtl_aqa.py data/mtl_aqa_synthetic
# Same structure as the paper's setting (student frames spread over a window
# ending at the dive's end, a teacher clip from each, LSTM + one classifier
# per dive field, CE + 50 * MSE(sigmoid(phi_s), sigmoid(phi_t))) scaled down:
# a 2D ResNet-18 student, the small 3D teacher of
# ../_base_/models/r3d18_tiny_teacher.py (64-d features), 3 frames 12 apart
# in a 40-frame window, 2 epochs.
# Teacher weights: train configs/synthetic/teacher_r3d18_synthetic.py first,
# or pass --cfg-options model.teacher.checkpoint=PATH.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/models/r3d18_tiny_teacher.py',
    '../_base_/datasets/mtl_aqa_dives.py',
    '../_base_/schedules/adam_1e-4_20e.py'
]

data_root = 'data/mtl_aqa_synthetic'
student_feat_dim = 512
student_mean = [123.675, 116.28, 103.53]
student_std = [58.395, 57.12, 57.375]

model = dict(
    type='HalluciNetRecognizer',
    backbone=dict(type='ResNet', depth=18, pretrained=None, norm_eval=False),
    cls_head=dict(
        type='DiveMultiHead',
        in_channels=student_feat_dim,
        hidden_channels=64,
        num_layers=1,
        fields=None,  # all MTL-AQA fields (MTLAQADataset.METAINFO)
        loss_cls=dict(type='CrossEntropyLoss', loss_weight=1.0),
        with_score=False),
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
        feat_dim={{_base_.teacher_feat_dim}}),
    cls_feature='student',
    frames_per_step=1,
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

# No flips: the synthetic diver's column encodes `position`.
dive_sampler = dict(
    type='DiveFrameSampler',
    num_steps=3,
    step=12,
    window_len=40,
    jitter=3,
    clip_len=16)
frame_size = [dict(type='Resize', scale=(32, 32), keep_ratio=False)]
pack_keys = ('dive_labels', 'final_score')
train_pipeline = [
    dive_sampler,
    dict(type='RawFrameDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline=frame_size,
        teacher_pipeline=frame_size),
    dict(type='FormatShape', input_format='NCHW'),
    dict(
        type='PackActionInputs',
        collect_keys=('imgs', 'teacher_imgs'),
        algorithm_keys=pack_keys)
]
test_pipeline = [
    dict(dive_sampler, with_teacher=False, test_mode=True),
    dict(type='RawFrameDecode'),
    dict(type='SplitStudentTeacher', student_pipeline=frame_size),
    dict(type='FormatShape', input_format='NCHW'),
    dict(
        type='PackActionInputs',
        collect_keys=('imgs', ),
        algorithm_keys=pack_keys)
]
loader = dict(batch_size=4, num_workers=0, persistent_workers=False)
train_dataloader = dict(
    **loader, dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    **loader, dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

train_cfg = dict(max_epochs=2, val_interval=1)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
default_hooks = dict(
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best=None),
    logger=dict(interval=1))
auto_scale_lr = dict(enable=False, base_batch_size=4)
