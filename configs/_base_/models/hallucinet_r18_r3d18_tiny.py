# HalluciNet at the synthetic data's scale: the wiring of ./hallucinet.py
# with a randomly initialised 2D ResNet-18 student (512-d) and the small 3D
# teacher of ./r3d18_tiny_teacher.py (64-d features; its checkpoint comes
# from configs/synthetic/teacher_r3d18_synthetic.py).
_base_ = ['./hallucinet.py', './r3d18_tiny_teacher.py']

model = dict(
    backbone=dict(
        _delete_=True, type='ResNet', depth=18, pretrained=None,
        norm_eval=False),
    hallu_head=dict(out_channels={{_base_.teacher_feat_dim}}),
    teacher={{_base_.teacher}},
    data_preprocessor=dict(
        preprocessors=dict(
            teacher_imgs=dict(
                mean={{_base_.teacher_mean}}, std={{_base_.teacher_std}}))))
