# HalluciNet on YUP++ dynamic scene recognition (paper 4.3, Tables 5-6): 20
# scene classes, the centre frame of each video, VGG11-bn student,
# 3D-ResNeXt-101 teacher, lambda 50. YUP++ ships no MMAction2 lists: write
# data/yup/{train,test}.txt as "<class>/<video>.mp4 <label>" lines for the
# split you use (static- or moving-camera videos, as in the paper's tables).
_base_ = ['../hallucinet_vgg11_ucf.py']

data_root = 'data/yup/videos'
ann_file_train = 'data/yup/train.txt'
ann_file_val = 'data/yup/test.txt'

model = dict(cls_head=dict(num_classes=20))
train_dataloader = dict(
    dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = val_dataloader
