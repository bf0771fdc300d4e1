# Paper: section 4.4 "Using Multiple Frames to Hallucinate", Fig. 6, Table 8,
# row "HalluciNet(2f)" (MTL-AQA dive classification). Each of the 6 steps
# shows the student two frames, F_j and F_j+3; the shared VGG11-bn encodes
# both and their 512-d features are concatenated in that order (1024-d),
# which feeds the hallucination head (the teacher clip still starts at F_j)
# and the LSTM. Everything else as hallucinet_vgg11_1f_dive_mtl_aqa.py
# ("the exact same procedure and parameters"), including the test-set mean
# L_hallu (x1e-3) reported next to the accuracies.
_base_ = ['./hallucinet_vgg11_1f_dive_mtl_aqa.py']

pair_offset = 3
model = dict(
    frames_per_step=2,
    cls_head=dict(in_channels=1024),  # 2 x 512
    hallu_head=dict(in_channels=1024))

pair_sampler = dict(
    type='DiveFrameSampler',
    num_steps=6,
    step=16,
    window_len=103,
    jitter=3,
    clip_len=16,
    pair_offset=pair_offset)
student_resize = dict(type='Resize', scale=(320, 240), keep_ratio=False)
teacher_pipeline = [
    dict(type='Resize', scale=(171, 128), keep_ratio=False),
    dict(type='CenterCrop', crop_size=112)
]
pack_keys = ('dive_labels', 'final_score')

train_pipeline = [
    pair_sampler,
    dict(type='RawFrameDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline=[student_resize,
                          dict(type='RandomCrop', size=224)],
        teacher_pipeline=teacher_pipeline,
        flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCHW'),
    dict(
        type='PackActionInputs',
        collect_keys=('imgs', 'teacher_imgs'),
        algorithm_keys=pack_keys)
]
test_pipeline = [
    dict(pair_sampler, with_teacher=False, test_mode=True),
    dict(type='RawFrameDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline=[student_resize,
                          dict(type='CenterCrop', crop_size=224)]),
    dict(type='FormatShape', input_format='NCHW'),
    dict(
        type='PackActionInputs',
        collect_keys=('imgs', ),
        algorithm_keys=pack_keys)
]
test_pipeline_with_teacher = [
    dict(pair_sampler, test_mode=True),
    dict(type='RawFrameDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline=[student_resize,
                          dict(type='CenterCrop', crop_size=224)],
        teacher_pipeline=teacher_pipeline),
    dict(type='FormatShape', input_format='NCHW'),
    dict(
        type='PackActionInputs',
        collect_keys=('imgs', 'teacher_imgs'),
        algorithm_keys=pack_keys)
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline_with_teacher))
