# A mix for small devices (not in the paper): torchvision's MobileNetV3-small
# (ImageNet weights; Recognizer2D pools its `features` to 576-d) as the
# student, trained with the hallucination task against the 3D-ResNeXt-101
# teacher on UCF-101's centre frames; everything else as
# ./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py.
# tools/analysis/benchmark_cost.py measures its CPU latency against the
# teacher's (the README's cost table).
_base_ = ['./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='torchvision.mobilenet_v3_small',
        weights='IMAGENET1K_V1'),
    cls_head=dict(in_channels=576),
    hallu_head=dict(in_channels=576))
