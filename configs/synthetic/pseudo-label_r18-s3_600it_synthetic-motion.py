# The teacher-free semi-supervised baseline of the main job: self-training
# with confident pseudo-labels (Lee, 2013). The seed's trained vanilla
# student labels the unlabeled videos (its test pipeline, the centre frame;
# tools/synthetic_demo/pseudo_labels.py); those whose top softmax
# probability reaches the threshold join the labeled list with their
# predicted label, and a fresh vanilla student trains on both, with the
# same budget, batch and selection as every other row. As in
# ./hallucinet-unlabeled_r18-s3_r3d18-tiny-td_600it_synthetic-motion.py
# the labeled list is repeated (labeled_repeat times) so that about half of
# a batch carries a true label.
_base_ = ['./vanilla_r18-s3_600it_synthetic-motion.py']

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
                type='CheckedVideoDataset',
                num_classes={{_base_.num_classes}},
                ann_file=data_root + '/pseudo_labeled.txt',
                data_prefix=dict(video=data_root + '/videos'),
                pipeline={{_base_.train_pipeline}}),
        ]))
