# The "2D-CNN" baseline on YUP++ (paper Tables 5-6): no hallucination task.
_base_ = ['../ucf101/vanilla_vgg11_ucf101.py']

data_root = 'data/yup/videos'
ann_file_train = 'data/yup/train.txt'
ann_file_val = 'data/yup/test.txt'

model = dict(cls_head=dict(num_classes=20))
train_dataloader = dict(
    dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = val_dataloader
