# The main job's teacher: the small 3D-CNN of ../_base_/models/r3d18_tiny_teacher.py
# trained on the teacher's own domain (tools/synthetic_demo/teacher_domain.py:
# the Kinetics analogue, 10 classes of other motions, objects and backgrounds,
# its own random stream), never on a student video or label. Its clips are
# resized to 16x16, half the students' 32x32 frames, as the paper's teacher
# sees 112 px where its student sees 224 (and a quarter of the compute).
#   python tools/data/make_synthetic_videos.py --domain teacher \
#       --out data/synthetic_teacher_domain
#   python tools/train.py configs/synthetic/teacher_r3d18-tiny_16x16_teacher-domain.py
_base_ = ['./teacher_r3d18_synthetic.py']

data_root = 'data/synthetic_teacher_domain'
teacher_num_classes = 10
teacher_side = 16
epochs = 15
model = dict(cls_head=dict(num_classes=teacher_num_classes))

resize = dict(type='Resize', scale=(teacher_side, teacher_side),
              keep_ratio=False)


def _resized(pipeline):
    """The clip pipeline with the resize after decoding."""
    out = []
    for t in pipeline:
        out.append(t)
        if t['type'] == 'CheckedDecordDecode':
            out.append(resize)
    return out


train_pipeline = _resized(_base_.train_pipeline)
test_pipeline = _resized(_base_.test_pipeline)


def _loader(split, pipeline):
    """The split's loader over the teacher's domain (in-process decoding)."""
    return dict(
        num_workers=0, persistent_workers=False,
        dataset=dict(num_classes=teacher_num_classes,
                     ann_file=f'{data_root}/{split}.txt',
                     data_prefix=dict(video=data_root + '/videos'),
                     pipeline=pipeline))


train_dataloader = _loader('train', train_pipeline)
val_dataloader = _loader('val', test_pipeline)
test_dataloader = _loader('test', test_pipeline)
train_cfg = dict(max_epochs=epochs, val_interval=5)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=epochs, by_epoch=True, eta_min=1e-5)
]
default_hooks = dict(checkpoint=dict(interval=epochs))
