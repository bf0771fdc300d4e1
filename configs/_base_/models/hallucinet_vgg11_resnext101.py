# The paper's HalluciNet (sections 3-4, Table 1): the wiring of
# ./hallucinet.py (ImageNet-pretrained VGG11-bn student, 512-d) with the
# frozen 3D-ResNeXt-101 teacher of ./resnext101_kinetics_teacher.py (2048-d
# pooled output of its last bottleneck group on 16x112x112 clips).
_base_ = ['./hallucinet.py', './resnext101_kinetics_teacher.py']

model = dict(
    hallu_head=dict(out_channels={{_base_.teacher_feat_dim}}),
    teacher={{_base_.teacher}},
    data_preprocessor=dict(
        preprocessors=dict(
            teacher_imgs=dict(
                mean={{_base_.teacher_mean}}, std={{_base_.teacher_std}}))))
