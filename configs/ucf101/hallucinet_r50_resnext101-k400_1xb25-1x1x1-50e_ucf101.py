# A mix (not in the paper): MMAction2's 2D ResNet-50 (ImageNet weights, 2048-d
# features) as the student, hallucinating the 3D-ResNeXt-101 teacher on
# UCF-101's centre frames; everything else as
# ./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py.
_base_ = ['./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='ResNet',
        depth=50,
        pretrained='https://download.pytorch.org/models/resnet50-11ad3fa6.pth',
        norm_eval=False),
    cls_head=dict(in_channels=2048),
    hallu_head=dict(in_channels=2048))
