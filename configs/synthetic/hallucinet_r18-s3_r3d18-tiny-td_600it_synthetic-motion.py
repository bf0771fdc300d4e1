# The main job's HalluciNet student, paper setting (labeled videos only): a
# 2D ResNet-18 with its first three stages (from scratch, 256-d features;
# half the time of a step of the whole ResNet-18 on 32x32 frames, whose last
# stage sees 1x1 maps) sees one 32x32
# frame (a random one in training, the centre one in testing) and, with
# CE + 50 * MSE(sigmoid(phi_s), sigmoid(phi_t)), hallucinates the 64-d
# features that the frozen teacher of
# ./teacher_r3d18-tiny_16x16_teacher-domain.py (trained on the teacher's own
# domain only) computes from the 16 frames starting there, resized to 16x16.
# Budget: 600 iterations of batch 16 (Adam, lr 3e-3, cosine); the
# checkpoint with the best validation top-1 (every 100 iterations) is tested
# once. tools/run_synthetic_demo.py sets the paths; by hand:
#   python tools/data/make_synthetic_videos.py --out data/synthetic_motion \
#       --videos-per-class-train 60 --videos-per-class-val 20 \
#       --videos-per-class-test 20 --cue-kind hue --cue-strength 1.0 \
#       --cue-absent-prob 0.2 --static-cue 0
#   (labeled.txt: 8 lines per class of train.txt)
_base_ = ['./hallucinet_r18_synthetic.py']

data_root = 'data/synthetic_motion'
student_feat_dim = 256
teacher_num_classes = 10
teacher_side = 16
max_iters = 600
val_interval = 100

model = dict(
    backbone=dict(
        num_stages=3, out_indices=(2, ), strides=(1, 2, 2),
        dilations=(1, 1, 1)),
    cls_head=dict(in_channels=student_feat_dim),
    hallu_head=dict(in_channels=student_feat_dim),
    teacher=dict(
        model=dict(cls_head=dict(num_classes=teacher_num_classes)),
        checkpoint='work_dirs/teacher_r3d18-tiny_16x16_teacher-domain/'
        'epoch_15.pth',
        input_shape=(1, 3, 16, teacher_side, teacher_side)))

teacher_resize = [
    dict(type='Resize', scale=(teacher_side, teacher_side), keep_ratio=False)
]


def _teacher_resized(pipeline):
    """The pipeline with the teacher's clip resized to teacher_side."""
    return [
        dict(t, teacher_pipeline=teacher_resize)
        if t['type'] == 'SplitStudentTeacher' else t for t in pipeline
    ]


train_pipeline = _teacher_resized(_base_.train_pipeline)
student_train_pipeline = _base_.student_train_pipeline
test_pipeline = _base_.test_pipeline
test_pipeline_with_teacher = _teacher_resized(
    _base_.test_pipeline_with_teacher)
# The videos are small and decoded once (then cut from the per-process
# cache): the loader runs in the training process (no worker process to
# start, no copies between processes).
loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(
    **loader,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        ann_file=data_root + '/labeled.txt',
        data_prefix=dict(video=data_root + '/videos'),
        pipeline=train_pipeline))
val_dataloader = dict(
    **loader,
    dataset=dict(
        ann_file=data_root + '/val.txt',
        data_prefix=dict(video=data_root + '/videos'),
        pipeline=test_pipeline_with_teacher))
test_dataloader = dict(
    **loader,
    dataset=dict(
        ann_file=data_root + '/test.txt',
        data_prefix=dict(video=data_root + '/videos'),
        pipeline=test_pipeline_with_teacher))
val_evaluator = [dict(type='AccMetric'), dict(type='HallucinationR2Metric')]
test_evaluator = [
    dict(type='AccMetric'),
    dict(type='HallucinationLossMetric'),
    dict(type='HallucinationR2Metric')
]

# fused=True: the same Adam update in one kernel (PyTorch >= 2.4 on CPU).
optim_wrapper = dict(optimizer=dict(type='Adam', lr=3e-3, fused=True))
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=val_interval)
param_scheduler = [
    dict(
        type='CosineAnnealingLR', T_max=max_iters, by_epoch=False,
        eta_min=1e-5)
]
default_hooks = dict(
    logger=dict(interval=100, log_metric_by_epoch=False),
    checkpoint=dict(
        by_epoch=False,
        interval=max_iters,
        max_keep_ckpts=1,
        save_best='acc/top1',
        rule='greater'))
log_processor = dict(by_epoch=False)
