# Paper: section 4.5, Table 9, row "Ours HalluciNet, w/o hallucination"
# (= Table 3's HalluciNet, whose student was pretrained on UCF-101 without
# the hallucination task): dive recognition with HalluciNet
# (hallucinet_vgg11_dive_mtl_aqa.py) starting from
# ucf101_pretrain_without_hallucination.py's student; train that first.
# Loading as in dive_from_ucf101_with_hallucination.py: backbone.* comes from
# the checkpoint, which has no hallu_head.*, so the hallucination head and
# the dive head keep their init (mmengine warns about the missing keys).
_base_ = ['../mtl_aqa/hallucinet_vgg11_dive_mtl_aqa.py']

model = dict(backbone=dict(weights=None))
load_from = 'work_dirs/ucf101_pretrain_without_hallucination/epoch_50.pth'
