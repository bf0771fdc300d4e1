# A mix (not in the paper): MMAction2's X3D-S (Kinetics-400, converted from
# the SlowFast release, MMAction2 model zoo) as the teacher; its backbone's
# pooled 432-d conv5 output is hallucinated. The teacher sees the 16 frames
# starting at the student's frame, short side 182, centre crop 160, X3D's
# normalisation.
_base_ = ['../hallucinet_vgg11_ucf.py']

x3d = 'recognition/x3d/x3d_s_13x6x1_facebook-kinetics400-rgb'
model = dict(
    teacher=dict(
        _delete_=True,
        type='FrozenTeacherWrapper',
        model=f'mmaction::{x3d}.py',
        checkpoint='https://download.openmmlab.com/mmaction/v1.0/'
        'recognition/x3d/facebook/'
        'x3d_s_13x6x1_facebook-kinetics400-rgb_20201027-623825a0.pth',
        tap='backbone',
        feat_dim=432),  # checked at the first forward
    hallu_head=dict(out_channels=432),
    data_preprocessor=dict(
        preprocessors=dict(
            teacher_imgs=dict(
                mean=[114.75, 114.75, 114.75], std=[57.38, 57.38, 57.38]))))

train_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(type='SingleFrameSampler', mode='centre', clip_len=16),
    dict(type='DecordDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline={{_base_.student_pipeline}},
        teacher_pipeline=[
            dict(type='Resize', scale=(-1, 182)),
            dict(type='CenterCrop', crop_size=160)
        ],
        flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', 'teacher_imgs'))
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
