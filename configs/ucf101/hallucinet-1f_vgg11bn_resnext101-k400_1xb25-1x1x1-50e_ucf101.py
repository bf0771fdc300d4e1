# Paper: section 4.4 "Using Multiple Frames to Hallucinate", Table 7, row
# "HalluciNet(1f)" (UCF-101, split 1): the single-frame HalluciNet of
# ./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py (the paper
# writes the 1f case as frames (j, j); this is the plain single-frame model,
# 512-d into the hallucination head). The test run also feeds the teacher's
# clips to report the test-set mean L_hallu (x1e-3 as in Table 7:
# `hallu/loss_x1e3`) with top-1 accuracy. The best-checkpoint rule is off:
# UCF-101's val list is its test split.
_base_ = ['./hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py']

test_dataloader = dict(
    dataset=dict(pipeline={{_base_.test_pipeline_with_teacher}}))
test_evaluator = {{_base_.test_evaluator_with_teacher}}
default_hooks = dict(checkpoint=dict(save_best=None))
