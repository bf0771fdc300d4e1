# Paper: section 4.5, Table 9, row "Ours 2D-CNN, w/ hallucination": the
# vanilla 2D-CNN on dives (vanilla_vgg11_dive_mtl_aqa.py: 6 frames, LSTM, no
# hallucination loss, 20 epochs, Adam, constant lr 1e-4) starting from the
# student pretrained on UCF-101 WITH the hallucination task.
# `load_from` (strict=False) loads backbone.*; the checkpoint's hallu_head.*
# and cls_head.fc_cls.* are skipped with "unexpected key" warnings.
_base_ = ['../mtl_aqa/vanilla_vgg11_dive_mtl_aqa.py']

model = dict(backbone=dict(weights=None))
load_from = 'work_dirs/ucf101_pretrain_with_hallucination/epoch_50.pth'
