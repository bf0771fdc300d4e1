# A tiny, CPU-sized stand-in for
# configs/mtl_aqa/hallucinet_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-score.py
# (paper section 4.2.2, action quality assessment with hallucination) on the
# synthetic MTL-AQA fixture: the model and data of
# hallucinet_r18_r3d18-tiny_1xb4-1x12x3-2e_synthetic-mtl-aqa-dive.py, the LSTM
# regressing the final score (L2 on final_score / 17), lr x0.1 after every
# epoch (the paper's "every 5 of 20 epochs", scaled to 2 epochs), Spearman's
# rank correlation (%) on the test split.
_base_ = [
    './hallucinet_r18_r3d18-tiny_1xb4-1x12x3-2e_synthetic-mtl-aqa-dive.py'
]

model = dict(cls_head={{_base_.aqa_head}})
val_evaluator = test_evaluator = dict(type='SpearmanMetric', _delete_=True)
param_scheduler = [dict(type='StepLR', step_size=1, gamma=0.1, end=2)]
