# Synthetic motion videos (tools/data/make_synthetic_videos.py: 32x32 px,
# 40 frames, 6 motion classes). Build them with
#   python tools/data/make_synthetic_videos.py --out data/synthetic
# The files and loaders of the small 3D teacher
# (../../synthetic/teacher_r3d18_synthetic.py) and of the 2D students
# (../../synthetic/hallucinet_r18_synthetic.py); each config sets the
# pipelines, e.g. `train_dataloader = dict(dataset=dict(pipeline=...))`.
# No flips: a horizontal flip turns 'move right' into 'move left'.
data_root = 'data/synthetic'
dataset_type = 'CheckedVideoDataset'
num_classes = 6
# The students read each of their few videos ~200 times and the teacher each
# pool video once an epoch: every data-loader worker keeps up to this many
# bytes of decoded frames (CheckedDecordInit(cache_bytes=...); a 40-frame
# 32x32 video is 123 KB, all 480 of the main job's are 59 MB).
video_cache_bytes = 256 * 1024**2

train_dataloader = dict(
    batch_size=16, num_workers=1, persistent_workers=True,
    # A last batch of one sample crashes BatchNorm ("Expected more than 1
    # value per channel"); shuffled epochs drop a different remainder.
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type, num_classes=num_classes,
        ann_file=data_root + '/train.txt',
        data_prefix=dict(video=data_root + '/videos')))
val_dataloader = dict(
    train_dataloader,
    drop_last=False,  # every evaluation sample is evaluated
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        train_dataloader['dataset'],
        ann_file=data_root + '/val.txt',
        test_mode=True))
test_dataloader = val_dataloader

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
