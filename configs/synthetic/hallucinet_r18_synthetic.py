# HalluciNet on the synthetic motion videos (the README's main job): a 2D
# ResNet-18 student sees the centre frame (random frame in training) and
# hallucinates the 64-d features the small 3D teacher
# (teacher_r3d18_synthetic.py) computes from the 16 frames starting there.
# Loss: CE + 50 * MSE(sigmoid(phi_s), sigmoid(phi_t)) (paper eq. 2).
# Train the teacher first and pass its checkpoint:
#   --cfg-options model.teacher.checkpoint=work_dirs/teacher_r3d18_synthetic/epoch_30.pth
# Schedule: ../_base_/schedules/synthetic_adam_cosine.py (15 epochs).
_base_ = [
    '../_base_/schedules/synthetic_adam_cosine.py',
    '../_base_/models/r3d18_tiny_teacher.py',
    '../_base_/datasets/synthetic_motion.py'
]

student_feat_dim = 512
student_mean = [123.675, 116.28, 103.53]
student_std = [58.395, 57.12, 57.375]

model = dict(
    type='HalluciNetRecognizer',
    backbone=dict(
        type='ResNet', depth=18, pretrained=None, norm_eval=False),
    cls_head=dict(
        type='TSNHead',
        num_classes={{_base_.num_classes}},
        in_channels=student_feat_dim,
        dropout_ratio=0.2,
        average_clips='prob'),
    hallu_head=dict(
        type='HallucinationHead',
        in_channels=student_feat_dim,
        out_channels={{_base_.teacher_feat_dim}},
        loss_hallu=dict(type='HallucinationLoss', loss_weight=50.0)),
    teacher=dict(
        type='FrozenTeacherWrapper',
        model={{_base_.teacher_model}},
        checkpoint='work_dirs/teacher_r3d18_synthetic/epoch_30.pth',
        tap='backbone',
        input_shape=(1, 3, 16, 32, 32)),
    cls_feature='student',
    data_preprocessor=dict(
        type='MultiModalDataPreprocessor',
        preprocessors=dict(
            imgs=dict(
                type='ActionDataPreprocessor',
                mean=student_mean,
                std=student_std,
                format_shape='NCHW'),
            teacher_imgs=dict(
                type='ActionDataPreprocessor',
                mean={{_base_.teacher_mean}},
                std={{_base_.teacher_std}},
                format_shape='NCTHW'))))


def single_frame_pipeline(**sampler):
    """One decode call serves the student frame and, unless
    with_teacher=False, the teacher clip; no flips (see the dataset base)."""
    with_teacher = sampler.get('with_teacher', True)
    return [
        dict(type='CheckedDecordInit',
             cache_bytes={{_base_.video_cache_bytes}}),
        dict(type='SingleFrameSampler', **sampler),
        dict(type='CheckedDecordDecode'),
        dict(type='SplitStudentTeacher'),
        dict(type='FormatShape', input_format='NCHW'),
        dict(type='PackActionInputs',
             collect_keys=('imgs', 'teacher_imgs') if with_teacher else
             ('imgs', ))
    ]


# Training: a random frame, and the teacher's 16 frames starting there.
train_pipeline = single_frame_pipeline(mode='random', clip_len=16)
# The vanilla students' training: a random frame, no teacher clip decoded.
student_train_pipeline = single_frame_pipeline(
    mode='random', with_teacher=False)
# Test: the centre frame only; the teacher does not run.
test_pipeline = single_frame_pipeline(
    mode='centre', with_teacher=False, test_mode=True)
# Test with the teacher too, for the test-set hallucination loss.
test_pipeline_with_teacher = single_frame_pipeline(
    mode='centre', test_mode=True)

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline_with_teacher))

test_evaluator = [dict(type='AccMetric'), dict(type='HallucinationLossMetric')]
