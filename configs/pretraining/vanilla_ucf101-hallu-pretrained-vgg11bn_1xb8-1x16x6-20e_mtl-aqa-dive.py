# Paper: section 4.5, Table 9, row "Ours 2D-CNN, w/ hallucination": the
# vanilla 2D-CNN on dives (../mtl_aqa/vanilla_vgg11bn_*_mtl-aqa-dive.py:
# 6 frames, LSTM, no hallucination loss, 20 epochs, Adam, constant lr 1e-4)
# starting from the student pretrained on UCF-101 WITH the hallucination
# task. `load_from` (strict=False, which tools/train.py makes strict but for
# load_from_allow_missing) loads backbone.*; the checkpoint's
# hallu_head.* and cls_head.fc_cls.* are skipped with "unexpected key"
# warnings.
_base_ = ['../mtl_aqa/vanilla_vgg11bn_1xb8-1x16x6-20e_mtl-aqa-dive.py']

model = dict(backbone=dict(weights=None))
pretraining = 'hallucinet-pretrain_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101'
load_from = f'work_dirs/{pretraining}/epoch_50.pth'
# tools/train.py refuses a load_from checkpoint that lacks any other key of
# the model (the dive head is new; every other weight must come from it).
load_from_allow_missing = ['cls_head.*']
