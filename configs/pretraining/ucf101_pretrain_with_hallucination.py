# Paper: section 4.5 "Utility of Hallucination Task in Pretraining", Table 9,
# pretraining "w/ hallucination": the VGG11-bn student (ImageNet weights) is
# pretrained on UCF-101 (split 1, UCF-static centre frames) with the action
# classification AND the hallucination task (lambda 50, frozen
# 3D-ResNeXt-101 teacher): exactly configs/ucf101/hallucinet_vgg11_1f_ucf101.py
# (50 epochs, Adam 1e-4, /10 after 30). Its last checkpoint,
#   work_dirs/ucf101_pretrain_with_hallucination/epoch_50.pth,
# initialises configs/pretraining/*dive_from_ucf101_with_hallucination.py.
_base_ = ['../ucf101/hallucinet_vgg11_1f_ucf101.py']

# Pretraining is judged downstream; plain accuracy at test time.
test_pipeline = {{_base_.val_pipeline}}
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_evaluator = [dict(type='AccMetric')]
