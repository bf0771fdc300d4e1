# HalluciNet on HMDB-51 split 1, single (centre) frame: paper Table 1 (HMDB-51
# column), with the UCF-101 settings (VGG11-bn, 3D-ResNeXt-101, lambda 50).
_base_ = [
    '../_base_/models/hallucinet_vgg11_resnext101.py',
    '../_base_/datasets/hmdb51_single_frame.py',
    '../_base_/schedules/hallucinet_adam_50e.py'
]

model = dict(cls_head=dict(num_classes={{_base_.num_classes}}))
