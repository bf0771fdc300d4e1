# Paper: section 4.4 "Using Multiple Frames to Hallucinate", Table 8, row
# "HalluciNet(1f)" (MTL-AQA dive classification): the single-frame HalluciNet
# of hallucinet_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-dive.py,
# trained the same way (20 epochs, Adam, constant lr 1e-4, lambda 50). Its test
# run also feeds the teacher's clips to report the test-set mean L_hallu
# (x1e-3, as in the paper: `hallu/loss_x1e3`) besides the per-field accuracies.
# The paper writes the 1f case as frames (j, j), i.e. one frame; this config is
# the plain single-frame model (512-d into the hallucination head).
_base_ = [
    './hallucinet_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-dive.py'
]

# Test: the student's frames and, for L_hallu, the teacher's clips.
test_dataloader = dict(
    dataset=dict(pipeline={{_base_.test_pipeline_with_teacher}}))
test_evaluator = {{_base_.test_evaluator_with_teacher}}
