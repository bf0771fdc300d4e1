# The vanilla 2D-CNN baseline for hallucinet_r18_synthetic.py: the same
# student, data, seed and budget, without the teacher and the hallucination
# loss (paper Table 1, "2D-CNN").
_base_ = ['./hallucinet_r18_synthetic.py']

model = dict(
    hallu_head=None,
    teacher=None,
    data_preprocessor=dict(
        type='MultiModalDataPreprocessor',
        preprocessors=dict(
            imgs=dict(
                type='ActionDataPreprocessor',
                mean={{_base_.student_mean}},
                std={{_base_.student_std}},
                format_shape='NCHW')),
        _delete_=True))

train_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(type='SingleFrameSampler', mode='random', with_teacher=False),
    dict(type='DecordDecode'),
    dict(type='SplitStudentTeacher'),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', ))
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline={{_base_.test_pipeline}}))
test_evaluator = [dict(type='AccMetric')]
