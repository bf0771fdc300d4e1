# The "2D-CNN" baseline on HMDB-51 (paper Table 1): no hallucination task.
_base_ = ['../ucf101/vanilla_vgg11_ucf101.py']

data_root = 'data/hmdb51/videos'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_file_val = 'data/hmdb51/hmdb51_val_split_1_videos.txt'

model = dict(cls_head=dict(num_classes=51))
train_dataloader = dict(
    dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = val_dataloader
