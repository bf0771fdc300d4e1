# Paper: section 4.5 "Utility of Hallucination Task in Pretraining", Table 9,
# pretraining "w/o hallucination" (also the UCF-101 pretraining of section
# 4.2.1): the VGG11-bn student (ImageNet weights) pretrained on UCF-101
# (split 1, UCF-static centre frames) with action classification only, same
# data and schedule as ucf101_pretrain_with_hallucination.py (50 epochs, Adam
# 1e-4, /10 after 30). Its last checkpoint,
#   work_dirs/ucf101_pretrain_without_hallucination/epoch_50.pth,
# initialises configs/pretraining/*dive_from_ucf101_without_hallucination.py.
_base_ = ['./ucf101_pretrain_with_hallucination.py']

# The inherited teacher_imgs preprocessor can stay: MultiModalDataPreprocessor
# runs only the preprocessors of the inputs a batch carries.
model = dict(hallu_head=None, teacher=None)

train_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(
        type='SingleFrameSampler',
        mode='centre',
        clip_len=16,
        with_teacher=False),
    dict(type='DecordDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline=[
            dict(type='Resize', scale=(320, 240), keep_ratio=False),
            dict(type='CenterCrop', crop_size=224)
        ],
        flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', ))
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
