# The "2D-CNN" baseline of paper Table 1: the same VGG11-bn student, data and
# schedule as ./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py,
# without the hallucination task.
_base_ = ['./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py']

# The inherited teacher_imgs preprocessor can stay: MultiModalDataPreprocessor
# runs only the preprocessors of the inputs a batch carries.
model = dict(hallu_head=None, teacher=None)
# Only the student frame is decoded.
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.train_pipeline_student}}))
