# Paper: section 4.2.2 "Dive Quality Assessment", Table 4, row
# "Ours HalluciNet". As hallucinet_vgg11_dive_mtl_aqa.py (6 frames, VGG11-bn
# student, LSTM, hallucination loss with lambda 50 against the frozen
# 3D-ResNeXt-101) but the LSTM's last hidden state regresses the final score
# with an L2 loss (target final_score / 17, as in the MTL-AQA code) instead
# of classifying the dive. 20 epochs, Adam lr 1e-4 divided by 10 every 5
# epochs. Metric: Spearman's rank correlation on the test set, in %.
_base_ = ['./hallucinet_vgg11_dive_mtl_aqa.py']

model = dict(
    cls_head=dict(
        fields=dict(_delete_=True),
        with_score=True,
        loss_score=dict(type='MSELoss', loss_weight=1.0),
        score_scale=17.0))

val_evaluator = dict(type='SpearmanMetric', _delete_=True)
test_evaluator = val_evaluator

param_scheduler = [
    dict(type='StepLR', step_size=5, gamma=0.1, by_epoch=True, begin=0,
         end=20)
]
