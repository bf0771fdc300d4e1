# Paper: section 4.4 "Using Multiple Frames to Hallucinate", Table 7, row
# "HalluciNet(1f)" (UCF-101, split 1): the single-frame HalluciNet of
# ../hallucinet_vgg11_ucf.py (the paper writes the 1f case as frames (j, j);
# this is the plain single-frame model, 512-d into the hallucination head).
# The test run also feeds the teacher's clips to report the test-set mean
# L_hallu (x1e-3 as in Table 7: `hallu/loss_x1e3`) with top-1 accuracy.
# The best-checkpoint rule is off: UCF-101's val list is its test split.
_base_ = ['../hallucinet_vgg11_ucf.py']

frame_sampler = dict(type='SingleFrameSampler', mode='centre', clip_len=16)
split = dict(
    type='SplitStudentTeacher',
    student_pipeline={{_base_.student_pipeline}},
    teacher_pipeline={{_base_.teacher_pipeline}})
# Test: with the teacher's clips, for the test-set L_hallu.
test_pipeline = [
    dict(type='CheckedDecordInit'),
    dict(frame_sampler, test_mode=True),
    dict(type='DecordDecode'), split,
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', 'teacher_imgs'))
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_evaluator = [
    dict(type='AccMetric'),
    dict(type='HallucinationLossMetric')
]
default_hooks = dict(checkpoint=dict(interval=5, save_best=None))
