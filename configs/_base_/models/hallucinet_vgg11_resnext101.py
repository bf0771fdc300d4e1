# The paper's HalluciNet (sections 3-4, Table 1): an ImageNet-pretrained
# VGG11-bn student (torchvision; 512-d pooled features) and a frozen
# 3D-ResNeXt-101 teacher (Hara et al.; 2048-d pooled output of its last
# bottleneck group on 16x112x112 clips). The hallucination branch is one
# Linear + ReLU (as in the original code) trained with
# 50 * MSE(sigmoid(phi_s), sigmoid(phi_t)).
#
# Teacher weights: convert Hara's Kinetics-pretrained checkpoint once with
#   python tools/model_converters/hara_resnext_to_mmaction.py \
#       resnext-101-kinetics.pth checkpoints/resnext-101-kinetics_mmaction.pth
# (or fine-tune it first with configs/teachers/resnext101_3d_ucf101_16x112.py)
student_mean = [123.675, 116.28, 103.53]  # ImageNet, on 0-255 pixels
student_std = [58.395, 57.12, 57.375]
teacher_mean = [114.7748, 107.7354, 99.4750]  # Hara's, on 0-255, std 1
teacher_std = [1.0, 1.0, 1.0]
student_feat_dim = 512
teacher_feat_dim = 2048
num_classes = 101

model = dict(
    type='HalluciNetRecognizer',
    backbone=dict(type='torchvision.vgg11_bn', weights='IMAGENET1K_V1'),
    cls_head=dict(
        type='TSNHead',
        num_classes=num_classes,
        in_channels=student_feat_dim,
        spatial_type='avg',
        consensus=dict(type='AvgConsensus', dim=1),
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    hallu_head=dict(
        type='HallucinationHead',
        in_channels=student_feat_dim,
        out_channels=teacher_feat_dim,
        loss_weight=50.0),
    teacher=dict(
        type='FrozenTeacherWrapper',
        model=dict(
            type='Recognizer3D', backbone=dict(type='ResNeXt3D', depth=101)),
        checkpoint='checkpoints/resnext-101-kinetics_mmaction.pth',
        tap='backbone',
        feat_dim=teacher_feat_dim),  # checked at the first forward
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
                mean=teacher_mean,
                std=teacher_std,
                format_shape='NCTHW'))))
