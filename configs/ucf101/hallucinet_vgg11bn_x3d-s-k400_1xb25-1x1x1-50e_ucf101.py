# A mix (not in the paper): MMAction2's X3D-S (Kinetics-400, converted from
# the SlowFast release, MMAction2 model zoo) as the teacher; its backbone's
# pooled 432-d conv5 output is hallucinated. The teacher sees the 16 frames
# starting at the student's frame, short side 182, centre crop 160, X3D's
# normalisation.
_base_ = ['./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py']

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

teacher_pipeline = [
    dict(type='Resize', scale=(-1, 182)),
    dict(type='CenterCrop', crop_size=160)
]
train_pipeline = [
    _base_.decode_init, _base_.frame_sampler, _base_.decode,
    dict(_base_.split_train, teacher_pipeline=teacher_pipeline),
    _base_.format_shape, _base_.pack
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
