# Paper: section 4.5, Table 9, row "Ours 2D-CNN, w/o hallucination"
# (= Table 3's 2D-CNN, pretrained on UCF-101 without hallucination): the
# vanilla 2D-CNN on dives (vanilla_vgg11_dive_mtl_aqa.py) starting from
# ucf101_pretrain_without_hallucination.py's student (backbone.* loaded with
# `load_from`; cls_head.fc_cls.* skipped with a warning).
_base_ = ['../mtl_aqa/vanilla_vgg11_dive_mtl_aqa.py']

model = dict(backbone=dict(weights=None))
load_from = 'work_dirs/ucf101_pretrain_without_hallucination/epoch_50.pth'
