# A tiny, CPU-sized stand-in for configs/mtl_aqa/hallucinet_vgg11_aqa_mtl_aqa.py
# (paper section 4.2.2, action quality assessment with hallucination) on the
# synthetic MTL-AQA fixture: the model and data of
# hallucinet_r18_dive_synthetic_mtl_aqa.py, the LSTM regressing the final
# score (L2 on final_score / 17), lr x0.1 after every epoch (the paper's
# "every 5 of 20 epochs", scaled to 2 epochs), Spearman's rank correlation
# (%) on the test split.
_base_ = ['./hallucinet_r18_dive_synthetic_mtl_aqa.py']

model = dict(
    cls_head=dict(
        fields=dict(_delete_=True),
        with_score=True,
        loss_score=dict(type='MSELoss', loss_weight=1.0),
        score_scale=17.0))

val_evaluator = dict(type='SpearmanMetric', _delete_=True)
test_evaluator = val_evaluator
param_scheduler = [
    dict(type='StepLR', step_size=1, gamma=0.1, by_epoch=True, begin=0,
         end=2)
]
