# Paper: section 4.5, Table 9, row "Ours HalluciNet, w/ hallucination":
# dive recognition on MTL-AQA with HalluciNet (hallucinet_vgg11_dive_mtl_aqa.py:
# 6 frames, LSTM, lambda 50, 20 epochs, Adam, constant lr 1e-4) starting from
# the student pretrained on UCF-101 WITH the hallucination task
# (ucf101_pretrain_with_hallucination.py); train that first.
#
# How the weights arrive: `load_from` (mmengine 0.10.7 loads it with
# strict=False after init_weights and only logs a warning for mismatching
# keys). The UCF-101 checkpoint's backbone.* (VGG11-bn) and hallu_head.*
# (512 -> 2048, same shapes) are loaded; its cls_head.fc_cls.* (TSNHead, 101
# classes) has no counterpart in DiveMultiHead and is skipped with an
# "unexpected key" warning; the LSTM and field classifiers keep their init.
# `load_from` is not a resume: epochs, optimizer and scheduler start afresh.
_base_ = ['../mtl_aqa/hallucinet_vgg11_dive_mtl_aqa.py']

# The ImageNet weights would be overwritten: do not download them.
model = dict(backbone=dict(weights=None))
load_from = 'work_dirs/ucf101_pretrain_with_hallucination/epoch_50.pth'
