# HalluciNet on UCF-101 split 1, single (centre) frame: paper Table 1,
# "HalluciNet" row (VGG11-bn student, 3D-ResNeXt-101 teacher, lambda = 50,
# Adam 1e-4, the original code's 50-epoch schedule: batch 25 on one GPU).
# On 8 GPUs the total batch is 8 x 25; add --auto-scale-lr to scale the lr
# from auto_scale_lr.base_batch_size=25, or set the per-GPU batch size:
#   tools/dist_train.sh configs/hallucinet_vgg11_ucf.py 8 --auto-scale-lr
#   tools/dist_test.sh configs/hallucinet_vgg11_ucf.py work_dirs/.../best.pth 8
_base_ = [
    '../_base_/models/hallucinet_vgg11_resnext101.py',
    '../_base_/datasets/ucf101_single_frame.py',
    '../_base_/schedules/hallucinet_adam_50e.py'
]

model = dict(cls_head=dict(num_classes={{_base_.num_classes}}))
