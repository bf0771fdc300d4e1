# Paper: section 4.5, Table 9, row "Ours HalluciNet, w/ hallucination":
# dive recognition on MTL-AQA with HalluciNet
# (../mtl_aqa/hallucinet_vgg11bn_*_mtl-aqa-dive.py: 6 frames, LSTM,
# lambda 50, 20 epochs, Adam, constant lr 1e-4) starting from the student
# pretrained on UCF-101 WITH the hallucination task
# (./hallucinet-pretrain_vgg11bn_*.py); train that first.
#
# How the weights arrive: `load_from`, after init_weights (tools/train.py
# refuses any mismatch but the keys of load_from_allow_missing). The UCF-101
# checkpoint's backbone.* (VGG11-bn) and hallu_head.*
# (512 -> 2048, same shapes) are loaded; its cls_head.fc_cls.* (TSNHead, 101
# classes) has no counterpart in DiveMultiHead and is skipped with an
# "unexpected key" warning; the LSTM and field classifiers keep their init.
# `load_from` is not a resume: epochs, optimizer and scheduler start afresh.
_base_ = [
    '../mtl_aqa/hallucinet_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-dive.py'  # noqa: E501
]

# The ImageNet weights would be overwritten: do not download them.
model = dict(backbone=dict(weights=None))
pretraining = 'hallucinet-pretrain_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101'
load_from = f'work_dirs/{pretraining}/epoch_50.pth'
# tools/train.py refuses a load_from checkpoint that lacks any other key of
# the model (the dive head is new; every other weight must come from it).
load_from_allow_missing = ['cls_head.*']
