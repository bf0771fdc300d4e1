# Paper: section 4.2.2 "Dive Quality Assessment", Table 4, row "Ours
# HalluciNet". As
# hallucinet_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-dive.py (6 frames,
# VGG11-bn student, LSTM, hallucination loss with lambda 50 against the frozen
# 3D-ResNeXt-101) but the LSTM's last hidden state regresses the final score
# with an L2 loss (target final_score / 17, as in the MTL-AQA code) instead of
# classifying the dive. 20 epochs, Adam lr 1e-4 divided by 10 every 5 epochs.
# Metric: Spearman's rank correlation on the test set, in %.
_base_ = [
    './hallucinet_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-dive.py'
]

model = dict(cls_head={{_base_.aqa_head}})
val_evaluator = test_evaluator = dict(type='SpearmanMetric', _delete_=True)
param_scheduler = [dict(type='StepLR', step_size=5, gamma=0.1, end=20)]
