# YUP++ dynamic scene recognition (paper 4.3, Tables 5-6): 20 scene classes,
# the centre frame of each video, with the pipelines of
# ./ucf101_single_frame.py. YUP++ ships no MMAction2 lists: write
# data/yup/{train,test}.txt as "<class>/<video>.mp4 <label>" lines for the
# split you use (static- or moving-camera videos, as in the paper's tables).
_base_ = ['./ucf101_single_frame.py']

data_root = 'data/yup/videos'
ann_file_train = 'data/yup/train.txt'
ann_file_val = 'data/yup/test.txt'
num_classes = 20

files = dict(data_prefix=dict(video=data_root), num_classes=num_classes)
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, **files))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val, **files))
test_dataloader = val_dataloader
