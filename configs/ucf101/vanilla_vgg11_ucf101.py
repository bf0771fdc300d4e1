# The "2D-CNN" baseline of paper Table 1: the same VGG11-bn student, data and
# schedule as ../hallucinet_vgg11_ucf.py, without the hallucination task.
_base_ = ['../hallucinet_vgg11_ucf.py']

# The inherited teacher_imgs preprocessor can stay: MultiModalDataPreprocessor
# runs only the preprocessors of the inputs a batch carries.
model = dict(hallu_head=None, teacher=None)

# Only the student frame is decoded.
train_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(type='SingleFrameSampler', mode='centre', with_teacher=False),
    dict(type='DecordDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline={{_base_.student_pipeline}},
        flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', ))
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
