# Paper: section 4.2.1 "Dive Recognition", Table 3, row "Ours 2D-CNN": the
# vanilla 2D-CNN baseline of
# hallucinet_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-dive.py, the same
# student, LSTM head, data and schedule (20 epochs, Adam, constant lr 1e-4)
# without the teacher and the hallucination loss.
_base_ = [
    './hallucinet_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-dive.py'
]

# The inherited teacher_imgs preprocessor can stay: MultiModalDataPreprocessor
# runs only the preprocessors of the inputs a batch carries.
model = dict(hallu_head=None, teacher=None)

# Training decodes the student's frames only.
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.train_pipeline_student}}))
