# HalluciNet on the synthetic motion videos, trained from a teacher-feature
# store instead of an online teacher: the 3D teacher runs once per sample
# (tools/extract_teacher_features.py), not once per sample and epoch.
#
# A store holds phi_t of ONE clip per sample, so training must sample
# deterministically, exactly as the extraction did: the student sees the
# centre frame (total_frames // 2) and phi_t is the teacher's feature of the
# 16 frames starting there (the paper's UCF-101/HMDB-51 protocol). The online
# config (hallucinet_r18_synthetic.py) draws a random frame in training; its
# exact online equivalent of this config is that config with the
# SingleFrameSampler's mode='centre', which sees the same phi_t targets (up to float rounding with a float32
# store; see tests/store/test_loading.py).
# LoadTeacherFeatures refuses any sample whose anchor frame differs from the
# stored one (e.g. a random mode sampler), and CheckTeacherFeatureStoreHook
# refuses, before the first step, a store made with another teacher,
# checkpoint, layer, dimension, sampling or teacher crop/normalisation than
# this config names.
#
# 1. Extract the stores (train split for the loss, test split for the
#    test-set hallucination loss):
#   python tools/extract_teacher_features.py \
#       configs/synthetic/hallucinet_r18_synthetic_store.py \
#       --out work_dirs/teacher_store_r3d18_synthetic/train --split train
#   python tools/extract_teacher_features.py \
#       configs/synthetic/hallucinet_r18_synthetic_store.py \
#       --out work_dirs/teacher_store_r3d18_synthetic/test --split test
# 2. Train:
#   python tools/train.py configs/synthetic/hallucinet_r18_synthetic_store.py
# Another teacher checkpoint: --cfg-options store_teacher.checkpoint=...
# (in both commands; the store records its sha256). Another store location:
# --cfg-options train_dataloader.dataset.teacher_feature_store=DIR/train
# (test_dataloader.dataset.teacher_feature_store for the test split's).
_base_ = ['./hallucinet_r18_synthetic.py']

store_root = 'work_dirs/teacher_store_r3d18_synthetic'
# The teacher that makes the store. The model does not build it
# (model.teacher=None): its teacher_features() reads the packed
# teacher_feats. The extractor builds it from here, and the store check
# compares its config and checkpoint hash with the store's manifest.
store_teacher = {{_base_.model.teacher}}

model = dict(
    teacher=None,
    data_preprocessor=dict(
        preprocessors=dict(
            # teacher_imgs (inherited) is not used in training from the
            # store, but it names the teacher normalisation that the
            # extractor applies and the store check compares.
            teacher_feats=dict(type='ActionDataPreprocessor'))))

train_pipeline = [
    dict(type='CheckedDecordInit'),
    # Centre frame, the anchor the extraction stored; with_teacher=False
    # decodes only the student frame. clip_len (and frame_interval) describe
    # the stored teacher clips and are checked against the store.
    dict(
        type='SingleFrameSampler',
        mode='centre',
        clip_len=16,
        with_teacher=False,
        test_mode=True),
    dict(type='CheckedDecordDecode'),
    dict(type='SplitStudentTeacher'),  # no flip: the store is unflipped
    # Reads the dataset's teacher_feature_store (set below).
    dict(type='LoadTeacherFeatures'),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', 'teacher_feats'))
]
train_dataloader = dict(
    dataset=dict(
        pipeline=train_pipeline,
        teacher_feature_store=store_root + '/train'))
# The same with the test split's store, for the test-set hallucination loss.
test_dataloader = dict(
    dataset=dict(
        pipeline=train_pipeline, teacher_feature_store=store_root + '/test'))

custom_hooks = [
    dict(type='CheckTeacherFeatureStoreHook'),
    dict(type='CheckTrainingDataHook')
]
