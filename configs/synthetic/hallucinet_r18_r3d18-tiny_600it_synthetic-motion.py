# The main job's HalluciNet student, paper setting (labeled videos only):
# hallucinet_r18_synthetic.py's model (ResNet-18 student, 1 frame, lambda=50,
# the tiny 3D teacher's 64-d features) on the synthetic motion data that
# tools/run_synthetic_demo.py writes, with a fixed budget of 600 iterations
# (Adam, lr 3e-3, cosine), the checkpoint chosen on the validation split
# (top-1, every 60 iterations), and the test split reported once. The hallucination R^2 (HallucinationR2Metric) is measured on
# validation and test.
# The demo sets the paths; by hand:
#   python tools/data/make_synthetic_videos.py --out data/synthetic_motion \
#       --videos-per-class-train 60 --videos-per-class-val 20 \
#       --videos-per-class-test 20 --cue-kind hue --cue-strength 1.0 \
#       --cue-absent-prob 0.2 --static-cue 0
#   (labeled.txt: some lines of train.txt; train.txt trains the teacher)
_base_ = ['./hallucinet_r18_synthetic.py']

data_root = 'data/synthetic_motion'
max_iters = 600
val_interval = 60

train_dataloader = dict(
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        ann_file=data_root + '/labeled.txt',
        data_prefix=dict(video=data_root + '/videos')))
val_dataloader = dict(
    dataset=dict(
        ann_file=data_root + '/val.txt',
        data_prefix=dict(video=data_root + '/videos'),
        pipeline={{_base_.test_pipeline_with_teacher}}))
test_dataloader = dict(
    dataset=dict(
        ann_file=data_root + '/test.txt',
        data_prefix=dict(video=data_root + '/videos')))
val_evaluator = [dict(type='AccMetric'), dict(type='HallucinationR2Metric')]
test_evaluator = [
    dict(type='AccMetric'),
    dict(type='HallucinationLossMetric'),
    dict(type='HallucinationR2Metric')
]

# fused=True: the same Adam update in one kernel (PyTorch >= 2.4 on CPU);
# the per-parameter update cost 40 % of a CPU step of this 11M-parameter
# student.
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
    logger=dict(interval=60, log_metric_by_epoch=False),
    checkpoint=dict(
        by_epoch=False,
        interval=max_iters,
        max_keep_ckpts=1,
        save_best='acc/top1',
        rule='greater'))
log_processor = dict(by_epoch=False)
