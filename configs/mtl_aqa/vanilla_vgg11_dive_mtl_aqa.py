# Paper: section 4.2.1 "Dive Recognition", Table 3, row "Ours 2D-CNN": the
# vanilla 2D-CNN baseline of hallucinet_vgg11_dive_mtl_aqa.py, the same
# student, LSTM head, data and schedule (20 epochs, Adam, constant lr 1e-4)
# without the teacher and the hallucination loss.
_base_ = ['./hallucinet_vgg11_dive_mtl_aqa.py']

# The inherited teacher_imgs preprocessor can stay: MultiModalDataPreprocessor
# runs only the preprocessors of the inputs a batch carries.
model = dict(hallu_head=None, teacher=None)

# Training decodes the student's frames only.
train_pipeline = [
    dict(
        type='DiveFrameSampler',
        num_steps=6,
        step=16,
        window_len=103,
        jitter=3,
        clip_len=16,
        with_teacher=False),
    dict(type='RawFrameDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline=[
            dict(type='Resize', scale=(320, 240), keep_ratio=False),
            dict(type='RandomCrop', size=224)
        ],
        flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCHW'),
    dict(
        type='PackActionInputs',
        collect_keys=('imgs', ),
        algorithm_keys=('dive_labels', 'final_score'))
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
