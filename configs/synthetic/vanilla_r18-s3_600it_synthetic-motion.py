# The main job's vanilla 2D student: the HalluciNet config without the
# hallucination head and the teacher; same data, budget and selection.
# Trained on all of train.txt it is the cue-only ceiling (labels on every
# video of the pool).
_base_ = ['./hallucinet_r18-s3_r3d18-tiny-td_600it_synthetic-motion.py']

model = dict(hallu_head=None, teacher=None)

train_pipeline = {{_base_.student_train_pipeline}}
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline={{_base_.test_pipeline}}))
test_dataloader = dict(dataset=dict(pipeline={{_base_.test_pipeline}}))
val_evaluator = [dict(type='AccMetric')]
test_evaluator = [dict(type='AccMetric')]
