# A mix (not in the paper): MMAction2's SlowOnly R50 8x8 (Kinetics-400, from
# the MMAction2 model zoo) as the teacher; its backbone's pooled 2048-d output
# is hallucinated. The teacher sees the 16 frames starting at the student's
# frame, every second one (clip_len 8, frame_interval 2), short side 256,
# centre crop 224, MMAction2's normalisation.
_base_ = ['../hallucinet_vgg11_ucf.py']

slowonly = 'recognition/slowonly/slowonly_r50_8xb16-8x8x1-256e_kinetics400-rgb'
model = dict(
    teacher=dict(
        _delete_=True,
        type='FrozenTeacherWrapper',
        model=f'mmaction::{slowonly}.py',
        checkpoint='https://download.openmmlab.com/mmaction/v1.0/'
        f'{slowonly}/slowonly_r50_8xb16-8x8x1-256e_kinetics400-rgb_'
        '20220901-2132fc87.pth',
        tap='backbone',
        feat_dim=2048),  # checked at the first forward
    hallu_head=dict(out_channels=2048),
    data_preprocessor=dict(
        preprocessors=dict(
            teacher_imgs=dict(
                mean=[123.675, 116.28, 103.53], std=[58.395, 57.12,
                                                     57.375]))))

train_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(
        type='SingleFrameSampler', mode='centre', clip_len=8,
        frame_interval=2),
    dict(type='DecordDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline={{_base_.student_pipeline}},
        teacher_pipeline=[
            dict(type='Resize', scale=(-1, 256)),
            dict(type='CenterCrop', crop_size=224)
        ],
        flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', 'teacher_imgs'))
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
