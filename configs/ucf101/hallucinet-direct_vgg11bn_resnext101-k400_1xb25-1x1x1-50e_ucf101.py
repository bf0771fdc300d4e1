# "HalluciNet-direct" of paper Table 1: the classifier reads the hallucinated
# 2048-d features instead of the student's own 512-d features.
_base_ = ['./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py']

model = dict(
    cls_feature='hallucinated',
    cls_head=dict(in_channels={{_base_.teacher_feat_dim}}))
