# Paper: section 4.2.2 "Dive Quality Assessment", Table 4, row "Ours 2D-CNN":
# hallucinet_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-score.py without
# the teacher and the hallucination loss (L2 score loss only; 20 epochs, Adam
# lr 1e-4 divided by 10 every 5 epochs; Spearman's rank correlation in %).
_base_ = [
    './hallucinet_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-score.py'
]

model = dict(hallu_head=None, teacher=None)
# Training decodes the student's frames only.
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.train_pipeline_student}}))
