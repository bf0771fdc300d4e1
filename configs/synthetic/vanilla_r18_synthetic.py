# The vanilla 2D-CNN baseline for hallucinet_r18_synthetic.py: the same
# student, data, seed and budget, without the teacher and the hallucination
# loss (paper Table 1, "2D-CNN").
_base_ = ['./hallucinet_r18_synthetic.py']

# The inherited teacher_imgs preprocessor can stay: MultiModalDataPreprocessor
# runs only the preprocessors of the inputs a batch carries.
model = dict(hallu_head=None, teacher=None)

train_pipeline = {{_base_.student_train_pipeline}}
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline={{_base_.test_pipeline}}))
test_evaluator = [dict(type='AccMetric')]
