# A tiny, CPU-sized stand-in for
# configs/mtl_aqa/hallucinet_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-dive.py
# (paper section 4.2.1, dive recognition with hallucination), for tests and
# demos on the synthetic MTL-AQA fixture of
# tools/data/make_synthetic_mtl_aqa.py (32x32 frames):
#   python tools/data/make_synthetic_mtl_aqa.py data/mtl_aqa_synthetic
# That config scaled down: a 2D ResNet-18 student, the small 3D teacher of
# ../_base_/models/r3d18_tiny_teacher.py (64-d features), an LSTM of 64, 3
# frames 12 apart in a 40-frame window, 32x32 frames, 2 epochs. Teacher
# weights: train configs/synthetic/teacher_r3d18_synthetic.py first, or pass
# --cfg-options model.teacher.checkpoint=PATH.
_base_ = [
    '../_base_/models/hallucinet_r18_r3d18_tiny.py',
    '../_base_/datasets/mtl_aqa_dives.py',
    '../_base_/schedules/adam_1e-4_20e.py'
]

model = dict(
    cls_head=dict(_base_.dive_head, hidden_channels=64),
    frames_per_step=1)


def fixture_scale(pipeline):
    """The paper's pipeline at the fixture's scale; no flips (the synthetic
    diver's column encodes `position`)."""
    size = [dict(type='Resize', scale=(32, 32), keep_ratio=False)]
    scaled = []
    for t in pipeline:
        if t['type'] == 'DiveFrameSampler':
            t = dict(t, num_steps=3, step=12, window_len=40)
        elif t['type'] == 'SplitStudentTeacher':
            teacher = size if t['teacher_pipeline'] else None
            t = dict(t, student_pipeline=size, teacher_pipeline=teacher,
                     flip_ratio=0.0)
        scaled.append(t)
    return scaled


data = dict(data_root='data/mtl_aqa_synthetic')
loader = dict(batch_size=4, num_workers=0, persistent_workers=False)
train_dataloader = dict(
    **loader,
    drop_last=True,  # no last batch of one sample (BatchNorm)
    dataset=dict(**data, pipeline=fixture_scale(_base_.train_pipeline)))
val_dataloader = dict(
    **loader,
    dataset=dict(**data, pipeline=fixture_scale(_base_.test_pipeline)))
test_dataloader = val_dataloader

train_cfg = dict(max_epochs=2, val_interval=1)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
default_hooks = dict(
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best=None),
    logger=dict(interval=1))
auto_scale_lr = dict(enable=False, base_batch_size=4)
