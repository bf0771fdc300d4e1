# Paper: section 4.2.2 "Dive Quality Assessment", Table 4, row
# "Ours 2D-CNN": hallucinet_vgg11_aqa_mtl_aqa.py without the teacher and the
# hallucination loss (L2 score loss only; 20 epochs, Adam lr 1e-4 divided by
# 10 every 5 epochs; Spearman's rank correlation in %).
_base_ = ['./vanilla_vgg11_dive_mtl_aqa.py']

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
