# HMDB-51 split 1 with the UCF-101 single-frame protocol of
# ./ucf101_single_frame.py (centre frame, the same crops and pipelines).
# Annotations from MMAction2's tools/data/hmdb51.
_base_ = ['./ucf101_single_frame.py']

data_root = 'data/hmdb51/videos'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_file_val = 'data/hmdb51/hmdb51_val_split_1_videos.txt'
num_classes = 51

files = dict(data_prefix=dict(video=data_root), num_classes=num_classes)
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, **files))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val, **files))
test_dataloader = val_dataloader
