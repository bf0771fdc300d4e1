# A mix (not in the paper): MMAction2's MobileNetV2 (ImageNet weights, 1280-d
# features) as the student, the cheap student for small devices
# (tools/analysis/benchmark_cost.py measures its cost against the teacher).
_base_ = ['./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='MobileNetV2',
        pretrained='mmcls://mobilenet_v2',
        norm_eval=False),
    cls_head=dict(in_channels=1280),
    hallu_head=dict(in_channels=1280))
