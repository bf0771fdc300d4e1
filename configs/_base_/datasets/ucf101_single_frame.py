# UCF-101 "static" protocol (paper 4.1, following the original code): the
# centre frame (len // 2) of every train and test video. The student frame is
# resized to 320x240 and centre-cropped to 224; the teacher clip (16 frames
# starting at that frame, moved back near the end) to 171x128 and 112. One
# decode call serves both; one flip decision applies to both (the original
# code's flip never took effect). Annotations are MMAction2's
# (tools/data/ucf101 in MMAction2): ucf101_{train,val}_split_1_videos.txt.
dataset_type = 'CheckedVideoDataset'
data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
ann_file_val = 'data/ucf101/ucf101_val_split_1_videos.txt'
clip_len = 16

student_pipeline = [
    dict(type='Resize', scale=(320, 240), keep_ratio=False),
    dict(type='CenterCrop', crop_size=224)
]
teacher_pipeline = [
    dict(type='Resize', scale=(171, 128), keep_ratio=False),
    dict(type='CenterCrop', crop_size=112)
]
train_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(type='SingleFrameSampler', mode='centre', clip_len=clip_len),
    dict(type='DecordDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline=student_pipeline,
        teacher_pipeline=teacher_pipeline,
        flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', 'teacher_imgs'))
]
# Test: the centre frame only; the teacher never runs.
val_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(
        type='SingleFrameSampler',
        mode='centre',
        with_teacher=False,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='SplitStudentTeacher', student_pipeline=student_pipeline),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', ))
]
test_pipeline = val_pipeline

train_dataloader = dict(
    batch_size=25,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=25,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = val_dataloader

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
