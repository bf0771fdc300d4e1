# Paper: section 4.4 "Using Multiple Frames to Hallucinate", Fig. 6, Table 7,
# row "HalluciNet(2f)" (UCF-101, split 1): the student sees F_j (the centre
# frame) and F_j+3; the shared VGG11-bn encodes both and their 512-d features
# are concatenated in that order (1024-d) for the hallucination head (the
# teacher clip still starts at F_j) and the classifier. Everything else as
# hallucinet_vgg11_1f_ucf101.py ("the exact same procedure and parameters"),
# including the test-set mean L_hallu (x1e-3) reported with top-1 accuracy.
_base_ = ['./hallucinet_vgg11_1f_ucf101.py']

pair_offset = 3
model = dict(
    frames_per_step=2,
    cls_head=dict(in_channels=1024),  # 2 x 512
    hallu_head=dict(in_channels=1024))

frame_sampler = dict(
    type='PairFrameSampler',
    mode='centre',
    clip_len=16,
    pair_offset=pair_offset)
student_pipeline = {{_base_.student_pipeline}}
teacher_pipeline = {{_base_.teacher_pipeline}}
pack = dict(type='PackActionInputs', collect_keys=('imgs', 'teacher_imgs'))
train_pipeline = [
    dict(type='CheckedDecordInit'), frame_sampler,
    dict(type='DecordDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline=student_pipeline,
        teacher_pipeline=teacher_pipeline,
        flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCHW'), pack
]
val_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(frame_sampler, with_teacher=False, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='SplitStudentTeacher', student_pipeline=student_pipeline),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', ))
]
test_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(frame_sampler, test_mode=True),
    dict(type='DecordDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline=student_pipeline,
        teacher_pipeline=teacher_pipeline),
    dict(type='FormatShape', input_format='NCHW'), pack
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
