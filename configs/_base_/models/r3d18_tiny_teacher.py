# A small 3D-CNN (3D ResNet-18, base width 16, three stages, 64-d output;
# about 0.08 GMACs per 16x32x32 clip) used
# as the teacher on the synthetic motion videos. Named `teacher_model` (not
# `model`) so student configs can inherit it without replacing their model;
# ./hallucinet_r18_r3d18_tiny.py plugs `teacher` into HalluciNet.
teacher_mean = [114.7748, 107.7354, 99.4750]  # Hara's mean on 0-255, std 1
teacher_std = [1.0, 1.0, 1.0]
teacher_feat_dim = 64
teacher_model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3d',
        depth=18,
        base_channels=16,
        num_stages=3,
        out_indices=(2, ),
        spatial_strides=(1, 2, 2),
        temporal_strides=(1, 2, 2),
        dilations=(1, 1, 1),
        inflate=(1, 1, 1),
        conv1_kernel=(3, 3, 3),
        conv1_stride_s=2,
        conv1_stride_t=2,
        pool1_stride_s=1,
        with_pool2=False,
        pretrained=None,
        pretrained2d=False,
        zero_init_residual=False),
    cls_head=dict(
        type='I3DHead',
        in_channels=64,
        num_classes=6,
        dropout_ratio=0.2,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=teacher_mean,
        std=teacher_std,
        format_shape='NCTHW'))
# The frozen teacher of ./hallucinet_r18_r3d18_tiny.py: its pooled backbone
# output, from the checkpoint configs/synthetic/teacher_r3d18_synthetic.py
# writes.
teacher = dict(
    type='FrozenTeacherWrapper',
    model=teacher_model,
    checkpoint='work_dirs/teacher_r3d18_synthetic/epoch_30.pth',
    tap='backbone',
    feat_dim=teacher_feat_dim)
