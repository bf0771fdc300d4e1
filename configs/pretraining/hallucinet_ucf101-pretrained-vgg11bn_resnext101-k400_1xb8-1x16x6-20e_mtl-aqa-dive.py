# Paper: section 4.5, Table 9, row "Ours HalluciNet, w/o hallucination"
# (= Table 3's HalluciNet, whose student was pretrained on UCF-101 without
# the hallucination task): dive recognition with HalluciNet
# (../mtl_aqa/hallucinet_vgg11bn_*_mtl-aqa-dive.py) starting from the
# student of ./vanilla-pretrain_vgg11bn_*.py; train that first. Loading as
# in ./hallucinet_ucf101-hallu-pretrained-vgg11bn_*.py: backbone.* comes
# from the checkpoint, which has no hallu_head.*, so the hallucination head
# and the dive head keep their init (mmengine warns about the missing keys).
_base_ = [
    '../mtl_aqa/hallucinet_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-dive.py'  # noqa: E501
]

model = dict(backbone=dict(weights=None))
pretraining = 'vanilla-pretrain_vgg11bn_1xb25-1x1x1-50e_ucf101'
load_from = f'work_dirs/{pretraining}/epoch_50.pth'
# tools/train.py refuses a load_from checkpoint that lacks any other key of
# the model (the dive head and the hallucination head are new; every other
# weight must come from it).
load_from_allow_missing = ['cls_head.*', 'hallu_head.*']
