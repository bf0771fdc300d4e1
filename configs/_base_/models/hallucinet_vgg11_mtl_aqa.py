# HalluciNet for dives (paper section 4.2, Fig. 5): an ImageNet-pretrained
# VGG11-bn student sees 6 frames of a dive; per frame its 512-d pooled
# features feed (a) a hallucination head that predicts the frozen
# 3D-ResNeXt-101 teacher's 2048-d features of the 16 frames starting there,
# trained with 50 * MSE(sigmoid(phi_s), sigmoid(phi_t)) (eq. 2-4, lambda=50),
# and (b) an LSTM (1 layer, 256 hidden) over the 6 steps whose last hidden
# state goes through one linear layer per dive field (DiveMultiHead; the
# fields and class counts default to MTLAQADataset.METAINFO).
# The AQA configs reuse this model with `fields` emptied and the score
# regressor on (cls_head.with_score=True).
_base_ = ['./resnext101_kinetics_teacher.py']

student_mean = [123.675, 116.28, 103.53]  # ImageNet, on 0-255 RGB
student_std = [58.395, 57.12, 57.375]
# torchvision's VGG11-bn through Recognizer2D: the classifier is replaced by
# Identity and `features` are average-pooled, giving 512-d features.
student_feat_dim = 512

model = dict(
    type='HalluciNetRecognizer',
    backbone=dict(type='torchvision.vgg11_bn', weights='IMAGENET1K_V1'),
    cls_head=dict(
        type='DiveMultiHead',
        in_channels=student_feat_dim,
        hidden_channels=256,
        num_layers=1,
        fields=None,  # all MTL-AQA fields (MTLAQADataset.METAINFO)
        loss_cls=dict(type='CrossEntropyLoss', loss_weight=1.0),
        with_score=False),
    hallu_head=dict(
        type='HallucinationHead',
        in_channels=student_feat_dim,
        out_channels={{_base_.teacher_feat_dim}},
        loss_hallu=dict(type='HallucinationLoss', loss_weight=50.0)),
    teacher={{_base_.teacher}},
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
