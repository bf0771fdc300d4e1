# Paper: section 4.5 "Utility of Hallucination Task in Pretraining", Table 9,
# pretraining "w/ hallucination": the VGG11-bn student (ImageNet weights) is
# pretrained on UCF-101 (split 1, UCF-static centre frames) with the action
# classification AND the hallucination task (lambda 50, frozen
# 3D-ResNeXt-101 teacher): exactly configs/hallucinet_vgg11_ucf.py
# (50 epochs, Adam 1e-4, /10 after 30) without best-checkpoint selection.
# Its last checkpoint, work_dirs/<this config's name>/epoch_50.pth,
# initialises the *_ucf101-hallu-pretrained-vgg11bn_* dive configs here.
_base_ = [
    '../ucf101/hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py'
]

# Pretraining is judged downstream: the last checkpoint is the result.
default_hooks = dict(checkpoint=dict(save_best=None))
