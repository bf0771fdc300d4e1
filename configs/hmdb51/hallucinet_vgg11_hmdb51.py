# HalluciNet on HMDB-51 split 1, single (centre) frame: paper Table 1 (HMDB-51
# column), with the UCF-101 settings (VGG11-bn, 3D-ResNeXt-101, lambda 50).
# Annotations from MMAction2's tools/data/hmdb51.
_base_ = ['../hallucinet_vgg11_ucf.py']

data_root = 'data/hmdb51/videos'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_file_val = 'data/hmdb51/hmdb51_val_split_1_videos.txt'

model = dict(cls_head=dict(num_classes=51))
train_dataloader = dict(
    dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = val_dataloader
