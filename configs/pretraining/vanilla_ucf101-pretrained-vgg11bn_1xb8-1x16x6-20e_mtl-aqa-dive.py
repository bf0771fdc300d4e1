# Paper: section 4.5, Table 9, row "Ours 2D-CNN, w/o hallucination"
# (= Table 3's 2D-CNN, pretrained on UCF-101 without hallucination): the
# vanilla 2D-CNN on dives (../mtl_aqa/vanilla_vgg11bn_*_mtl-aqa-dive.py)
# starting from the student of ./vanilla-pretrain_vgg11bn_*.py (backbone.*
# loaded with `load_from`; cls_head.fc_cls.* skipped with a warning).
_base_ = ['../mtl_aqa/vanilla_vgg11bn_1xb8-1x16x6-20e_mtl-aqa-dive.py']

model = dict(backbone=dict(weights=None))
pretraining = 'vanilla-pretrain_vgg11bn_1xb25-1x1x1-50e_ucf101'
load_from = f'work_dirs/{pretraining}/epoch_50.pth'
# tools/train.py refuses a load_from checkpoint that lacks any other key of
# the model (the dive head is new; every other weight must come from it).
load_from_allow_missing = ['cls_head.*']
