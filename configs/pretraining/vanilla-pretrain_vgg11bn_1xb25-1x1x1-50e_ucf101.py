# Paper: section 4.5 "Utility of Hallucination Task in Pretraining", Table 9,
# pretraining "w/o hallucination" (also the UCF-101 pretraining of section
# 4.2.1): the VGG11-bn student (ImageNet weights) pretrained on UCF-101
# (split 1, UCF-static centre frames) with action classification only, same
# data and schedule as hallucinet-pretrain_vgg11bn_*.py here (50 epochs,
# Adam 1e-4, /10 after 30). Its last checkpoint,
# work_dirs/<this config's name>/epoch_50.pth, initialises the
# *_ucf101-pretrained-vgg11bn_* dive configs here.
_base_ = [
    './hallucinet-pretrain_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py'
]

# The inherited teacher_imgs preprocessor can stay: MultiModalDataPreprocessor
# runs only the preprocessors of the inputs a batch carries.
model = dict(hallu_head=None, teacher=None)
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.train_pipeline_student}}))
