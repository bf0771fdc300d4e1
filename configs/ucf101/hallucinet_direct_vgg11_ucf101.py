# "HalluciNet-direct" of paper Table 1: the classifier reads the hallucinated
# 2048-d features instead of the student's own 512-d features.
_base_ = ['../hallucinet_vgg11_ucf.py']

model = dict(
    cls_feature='hallucinated',
    cls_head=dict(in_channels={{_base_.teacher_feat_dim}}))
