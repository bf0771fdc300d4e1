# A mix (not in the paper): MMAction2's SlowOnly R50 8x8 (Kinetics-400, from
# the MMAction2 model zoo) as the teacher; its backbone's pooled 2048-d output
# is hallucinated. The teacher sees the 16 frames starting at the student's
# frame, every second one (clip_len 8, frame_interval 2), short side 256,
# centre crop 224, MMAction2's (ImageNet) normalisation.
_base_ = ['./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py']

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
                mean={{_base_.student_mean}}, std={{_base_.student_std}}))))

teacher_pipeline = [
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224)
]
train_pipeline = [
    _base_.decode_init,
    dict(_base_.frame_sampler, clip_len=8, frame_interval=2), _base_.decode,
    dict(_base_.split_train, teacher_pipeline=teacher_pipeline),
    _base_.format_shape, _base_.pack
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
