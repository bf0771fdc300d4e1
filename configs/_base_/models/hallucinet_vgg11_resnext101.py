# The paper's HalluciNet (sections 3-4, Table 1): an ImageNet-pretrained
# VGG11-bn student (torchvision; 512-d pooled features) and the frozen
# 3D-ResNeXt-101 teacher of ./resnext101_kinetics_teacher.py (2048-d pooled
# output of its last bottleneck group on 16x112x112 clips). The
# hallucination branch is one Linear + ReLU (as in the original code)
# trained with 50 * MSE(sigmoid(phi_s), sigmoid(phi_t)).
_base_ = ['./resnext101_kinetics_teacher.py']

student_mean = [123.675, 116.28, 103.53]  # ImageNet, on 0-255 pixels
student_std = [58.395, 57.12, 57.375]
student_feat_dim = 512
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
        out_channels={{_base_.teacher_feat_dim}},
        loss_hallu=dict(type='HallucinationLoss', loss_weight=50.0)),
    teacher={{_base_.teacher}},
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
