# The HalluciNet wiring (paper sections 3-4), shared by every HalluciNet
# config: a 2D student backbone whose pooled features feed the task head
# (`cls_head`) and the hallucination head, which predicts the frozen 3D
# teacher's features; `HallucinationLoss` is
# 50 * MSE(sigmoid(phi_s), sigmoid(phi_t)) (eq. 2-4, lambda = 50). The
# hallucination branch is one Linear + ReLU (as in the original code). One
# data preprocessor per input: student frames (NCHW), teacher clips (NCTHW).
# Default student: the paper's ImageNet-pretrained VGG11-bn (torchvision
# through Recognizer2D: the classifier is replaced by Identity and `features`
# are average-pooled, giving 512-d features).
#
# The teacher is plugged in by ./hallucinet_vgg11_resnext101.py (the paper's
# 3D-ResNeXt-101) or ./hallucinet_r18_r3d18_tiny.py (the synthetic data's
# small 3D CNN) from a teacher base that names `teacher`, `teacher_feat_dim`,
# `teacher_mean` and `teacher_std`.
#
# Changing a part: mmengine reads a base before the config that inherits
# it, so a top-level variable redefined in that config (say
# `student_feat_dim = 1280`) does NOT reach the dicts below. Override the
# named fields instead:
#   student: model.backbone (with _delete_=True), model.cls_head.in_channels,
#            model.hallu_head.in_channels;
#   teacher: model.teacher (with _delete_=True), model.hallu_head.out_channels,
#            model.data_preprocessor.preprocessors.teacher_imgs.{mean,std};
#   classes: model.cls_head.num_classes, which every config sets from the
#            `num_classes` of its dataset base (the datasets check their
#            labels against the same number).
# A value computed from a base goes through `_base_.x` in the config's code,
# e.g. `in_channels=2 * _base_.student_feat_dim` (`{{_base_.x}}` is replaced
# only where it stands alone as a value).
student_mean = [123.675, 116.28, 103.53]  # ImageNet, on 0-255 pixels
student_std = [58.395, 57.12, 57.375]
student_feat_dim = 512

model = dict(
    type='HalluciNetRecognizer',
    backbone=dict(type='torchvision.vgg11_bn', weights='IMAGENET1K_V1'),
    cls_head=dict(
        type='TSNHead',
        in_channels=student_feat_dim,
        spatial_type='avg',
        consensus=dict(type='AvgConsensus', dim=1),
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    hallu_head=dict(
        type='HallucinationHead',
        in_channels=student_feat_dim,
        loss_hallu=dict(type='HallucinationLoss', loss_weight=50.0)),
    cls_feature='student',
    data_preprocessor=dict(
        type='MultiModalDataPreprocessor',
        preprocessors=dict(
            imgs=dict(type='ActionDataPreprocessor', mean=student_mean,
                      std=student_std, format_shape='NCHW'),
            teacher_imgs=dict(
                type='ActionDataPreprocessor', format_shape='NCTHW'))))
