# HalluciNet with unlabeled videos (beyond the paper): the labeled list trains
# CE + lambda * L_hallu, and a list of videos without labels
# (UnlabeledVideoDataset: one path per line) trains L_hallu only.
# HalluciNetRecognizer averages the main-task loss over each batch's labeled
# samples. Batches mix both lists at random (mmengine's ConcatDataset); the
# labeled list is repeated (RepeatDataset, labeled_repeat times) so that
# about half of a batch carries labels (the demo sets labeled_repeat to
# unlabeled / labeled videos, rounded).
_base_ = ['./hallucinet_r18-s3_r3d18-tiny-td_600it_synthetic-motion.py']

data_root = 'data/synthetic_motion'
labeled_repeat = 6
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(
                type='RepeatDataset',
                times=labeled_repeat,
                dataset=dict(
                    type='CheckedVideoDataset',
                    num_classes={{_base_.num_classes}},
                    ann_file=data_root + '/labeled.txt',
                    data_prefix=dict(video=data_root + '/videos'),
                    pipeline={{_base_.train_pipeline}})),
            dict(
                type='UnlabeledVideoDataset',
                ann_file=data_root + '/unlabeled.txt',
                data_prefix=dict(video=data_root + '/videos'),
                pipeline={{_base_.train_pipeline}}),
        ]))
