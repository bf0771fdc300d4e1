# The "2D-CNN" baseline on HMDB-51 (paper Table 1):
# hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_hmdb51.py without the
# hallucination task.
_base_ = ['./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_hmdb51.py']

model = dict(hallu_head=None, teacher=None)
# Only the student frame is decoded.
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.train_pipeline_student}}))
