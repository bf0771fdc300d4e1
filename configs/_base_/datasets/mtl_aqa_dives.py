# MTL-AQA dives (paper section 4.2; 1059 train / 353 test dives of split 0),
# read from the official release as extracted frames:
#   data/mtl_aqa/final_annotations_dict.pkl
#   data/mtl_aqa/{train,test}_split_0.pkl
#   data/mtl_aqa/whole_videos_frames/{video_no:02d}/{index:06d}.jpg  (from 1)
# Sampling (the original C3D-AVG protocol the paper builds on): a 103-frame
# window ending at the dive's end_frame (end jittered by -3..3 in training);
# the student sees frames 0, 16, ..., 80 of the window (6 frames over 96) and
# the teacher, in training, the 16-frame clip starting at each of them.
# One decode call serves both; SplitStudentTeacher gives each side its own
# resize/crop and flips both together.
# MTL-AQA has no validation split: val and test both use test_split_0 (the
# paper reports test-set numbers); no best-checkpoint selection on it.
dataset_type = 'MTLAQADataset'
data_root = 'data/mtl_aqa'
annotation_file = 'final_annotations_dict.pkl'
ann_file_train = 'train_split_0.pkl'
ann_file_test = 'test_split_0.pkl'
frames_prefix = 'whole_videos_frames'

# The student's frames: 320x240 (as in the original code), then 224 crops.
# The teacher's clips: 171x128, centre crop 112 (Hara's input).
# Training flips student frames and teacher clips together (a horizontal flip
# keeps every dive field; the paper does not state its augmentation).
train_pipeline = [
    dict(
        type='DiveFrameSampler',
        num_steps=6,
        step=16,
        window_len=103,
        jitter=3,
        clip_len=16),
    dict(type='RawFrameDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline=[
            dict(type='Resize', scale=(320, 240), keep_ratio=False),
            dict(type='RandomCrop', size=224)
        ],
        teacher_pipeline=[
            dict(type='Resize', scale=(171, 128), keep_ratio=False),
            dict(type='CenterCrop', crop_size=112)
        ],
        flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCHW'),
    dict(
        type='PackActionInputs',
        collect_keys=('imgs', 'teacher_imgs'),
        algorithm_keys=('dive_labels', 'final_score'))
]
# Test: the student's frames only; the teacher does not run.
test_pipeline = [
    dict(
        type='DiveFrameSampler',
        num_steps=6,
        step=16,
        window_len=103,
        jitter=3,
        clip_len=16,
        with_teacher=False,
        test_mode=True),
    dict(type='RawFrameDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline=[
            dict(type='Resize', scale=(320, 240), keep_ratio=False),
            dict(type='CenterCrop', crop_size=224)
        ]),
    dict(type='FormatShape', input_format='NCHW'),
    dict(
        type='PackActionInputs',
        collect_keys=('imgs', ),
        algorithm_keys=('dive_labels', 'final_score'))
]

train_dataloader = dict(
    batch_size=8,  # not given in the paper
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_file_train,
        annotation_file=annotation_file,
        data_prefix=dict(video=frames_prefix),
        frame_source='rawframes',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_file_test,
        annotation_file=annotation_file,
        data_prefix=dict(video=frames_prefix),
        frame_source='rawframes',
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = val_dataloader

# Dive recognition: per-field accuracy (%) (Table 3); AQA configs replace it.
val_evaluator = dict(type='DiveAccuracyMetric')
test_evaluator = val_evaluator
