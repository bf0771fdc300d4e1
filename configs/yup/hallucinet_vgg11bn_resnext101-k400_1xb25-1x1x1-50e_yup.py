# HalluciNet on YUP++ dynamic scene recognition (paper 4.3, Tables 5-6): 20
# scene classes, the centre frame of each video, VGG11-bn student,
# 3D-ResNeXt-101 teacher, lambda 50 (the UCF-101 settings).
_base_ = [
    '../_base_/models/hallucinet_vgg11_resnext101.py',
    '../_base_/datasets/yup_single_frame.py',
    '../_base_/schedules/hallucinet_adam_50e.py'
]

model = dict(cls_head=dict(num_classes={{_base_.num_classes}}))
