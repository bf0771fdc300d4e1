# HalluciNet on UCF-101 split 1, single (centre) frame: paper Table 1,
# "HalluciNet" row (VGG11-bn student, 3D-ResNeXt-101 teacher, lambda = 50,
# Adam 1e-4, the original code's 50-epoch schedule).
#   tools/dist_train.sh configs/hallucinet_vgg11_ucf.py 8
#   tools/dist_test.sh configs/hallucinet_vgg11_ucf.py work_dirs/.../best.pth 8
_base_ = [
    '_base_/models/hallucinet_vgg11_resnext101.py',
    '_base_/datasets/ucf101_single_frame.py',
    '_base_/schedules/hallucinet_adam_50e.py', '_base_/default_runtime.py'
]

default_hooks = dict(checkpoint=dict(interval=5, save_best='acc/top1'))
