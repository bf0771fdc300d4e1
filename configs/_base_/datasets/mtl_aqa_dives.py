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
#
# The pipelines are built from the named pieces below (`dive_sampler` holds
# the shared sampling settings); a config that changes a piece rebuilds the
# pipelines it uses from them, e.g. `dict(_base_.dive_sampler, pair_offset=3)`.
dataset_type = 'MTLAQADataset'
data_root = 'data/mtl_aqa'
annotation_file = 'final_annotations_dict.pkl'
ann_file_train = 'train_split_0.pkl'
ann_file_test = 'test_split_0.pkl'
frames_prefix = 'whole_videos_frames'

dive_sampler = dict(
    type='DiveFrameSampler',
    num_steps=6,
    step=16,
    window_len=103,
    jitter=3,
    clip_len=16)
decode = dict(type='CheckedRawFrameDecode')
# The student's frames: 320x240 (as in the original code), then 224 crops.
# The teacher's clips: 171x128, centre crop 112 (Hara's input).
# Training flips student frames and teacher clips together (a horizontal flip
# keeps every dive field; the paper does not state its augmentation).
student_resize = dict(type='Resize', scale=(320, 240), keep_ratio=False)
split_train = dict(
    type='SplitStudentTeacher',
    student_pipeline=[student_resize,
                      dict(type='RandomCrop', size=224)],
    teacher_pipeline=[
        dict(type='Resize', scale=(171, 128), keep_ratio=False),
        dict(type='CenterCrop', crop_size=112)
    ],
    flip_ratio=0.5)
split_test = dict(
    split_train,
    student_pipeline=[student_resize,
                      dict(type='CenterCrop', crop_size=224)],
    flip_ratio=0.0)
format_shape = dict(type='FormatShape', input_format='NCHW')
pack = dict(
    type='PackActionInputs',
    collect_keys=('imgs', 'teacher_imgs'),
    algorithm_keys=('dive_labels', 'final_score'))
pack_student = dict(pack, collect_keys=('imgs', ))

train_pipeline = [dive_sampler, decode, split_train, format_shape, pack]
# The vanilla 2D-CNN decodes the student's frames only.
train_pipeline_student = [
    dict(dive_sampler, with_teacher=False), decode,
    dict(split_train, teacher_pipeline=None), format_shape, pack_student
]
# Test: the student's frames only; the teacher does not run.
test_pipeline = [
    dict(dive_sampler, with_teacher=False, test_mode=True), decode,
    dict(split_test, teacher_pipeline=None), format_shape, pack_student
]
# Test with the teacher's clips too, for the test-set L_hallu
# (HallucinationLossMetric).
test_pipeline_with_teacher = [
    dict(dive_sampler, test_mode=True), decode, split_test, format_shape, pack
]

train_dataloader = dict(
    batch_size=8,  # not given in the paper
    num_workers=4,
    persistent_workers=True,
    # A last batch of one sample crashes BatchNorm ("Expected more than 1
    # value per channel"); shuffled epochs drop a different remainder.
    drop_last=True,
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
    train_dataloader,
    drop_last=False,  # every test sample is evaluated
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        train_dataloader['dataset'],
        ann_file=ann_file_test,
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = val_dataloader

# Dive recognition: per-field accuracy (%) (Table 3); AQA configs replace it.
val_evaluator = dict(type='DiveAccuracyMetric')
test_evaluator = val_evaluator
# With the test-set mean L_hallu (x1e-3, `hallu/loss_x1e3`), for a test
# run fed test_pipeline_with_teacher.
test_evaluator_with_teacher = [
    dict(type='DiveAccuracyMetric'),
    dict(type='HallucinationLossMetric')
]

# The heads for these labels (paper section 4.2, Fig. 5), set by the configs
# as model.cls_head: an LSTM (1 layer, 256 hidden) over the steps whose last
# hidden state goes through one linear layer per dive field (DiveMultiHead;
# the fields and class counts default to MTLAQADataset.METAINFO). For action
# quality assessment (Table 4) there are no dive fields and the last hidden
# state regresses final_score / 17 (as in the MTL-AQA code) with an L2 loss.
dive_head = dict(
    _delete_=True,
    type='DiveMultiHead',
    in_channels=512,  # the VGG11-bn / ResNet-18 student's features
    hidden_channels=256,
    num_layers=1,
    fields=None,  # all MTL-AQA fields (MTLAQADataset.METAINFO)
    loss_cls=dict(type='CrossEntropyLoss', loss_weight=1.0),
    with_score=False)
aqa_head = dict(
    fields=dict(_delete_=True),
    with_score=True,
    loss_score=dict(type='HalluciNetMSELoss', loss_weight=1.0),
    score_scale=17.0)
