# The "2D-CNN" baseline on YUP++ (paper Tables 5-6):
# hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_yup.py without the
# hallucination task.
_base_ = ['./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_yup.py']

model = dict(hallu_head=None, teacher=None)
# Only the student frame is decoded.
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.train_pipeline_student}}))
