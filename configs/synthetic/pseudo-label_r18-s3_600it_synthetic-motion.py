# The teacher-free semi-supervised baseline of the main job: self-training
# with confident pseudo-labels (Lee, 2013). The seed's trained vanilla
# student labels the unlabeled videos (its test pipeline, the centre frame;
# tools/synthetic_demo/pseudo_labels.py); those whose top softmax
# probability reaches the threshold join the labeled list with their
# predicted label, and a fresh vanilla student trains on both, with the
# same budget, batch and selection as every other row. The training lists
# are those of the base (the labeled list repeated labeled_repeat times, so
# that about half of a batch carries a true label) with the pseudo-labeled
# list in place of the unlabeled one; the student is that of
# ./vanilla_r18-s3_600it_synthetic-motion.py (no hallucination head, no
# teacher, the student pipelines).
_base_ = [
    './hallucinet-unlabeled_r18-s3_r3d18-tiny-td_600it_synthetic-motion.py'
]

model = dict(hallu_head=None, teacher=None)
train_pipeline = {{_base_.student_train_pipeline}}


def _student_lists(repeated):
    """The repeated labeled list and the pseudo-labeled list, both through
    the student's training pipeline."""
    labeled = dict(repeated['dataset'], pipeline=train_pipeline)
    pseudo_labeled = dict(
        labeled, ann_file=_base_.data_root + '/pseudo_labeled.txt')
    return [dict(repeated, dataset=labeled), pseudo_labeled]


train_dataloader = dict(
    dataset=dict(
        datasets=_student_lists(_base_.train_dataloader.dataset.datasets[0])))
val_dataloader = dict(dataset=dict(pipeline={{_base_.test_pipeline}}))
test_dataloader = dict(dataset=dict(pipeline={{_base_.test_pipeline}}))
val_evaluator = [dict(type='AccMetric')]
test_evaluator = [dict(type='AccMetric')]
