# Paper: section 4.4 "Using Multiple Frames to Hallucinate", Table 8, row
# "HalluciNet(1f)" (MTL-AQA dive classification): the single-frame
# HalluciNet of hallucinet_vgg11_dive_mtl_aqa.py, trained the same way
# (20 epochs, Adam, constant lr 1e-4, lambda 50). Its test run also feeds the
# teacher's clips to report the test-set mean L_hallu (x1e-3, as in the
# paper: `hallu/loss_x1e3`) besides the per-field accuracies.
# The paper writes the 1f case as frames (j, j), i.e. one frame; this config
# is the plain single-frame model (512-d into the hallucination head).
_base_ = ['./hallucinet_vgg11_dive_mtl_aqa.py']

# Test: the student's frames and, for L_hallu, the teacher's clips.
test_pipeline_with_teacher = [
    dict(
        type='DiveFrameSampler',
        num_steps=6,
        step=16,
        window_len=103,
        jitter=3,
        clip_len=16,
        test_mode=True),
    dict(type='RawFrameDecode'),
    dict(
        type='SplitStudentTeacher',
        student_pipeline=[
            dict(type='Resize', scale=(320, 240), keep_ratio=False),
            dict(type='CenterCrop', crop_size=224)
        ],
        teacher_pipeline=[
            dict(type='Resize', scale=(171, 128), keep_ratio=False),
            dict(type='CenterCrop', crop_size=112)
        ]),
    dict(type='FormatShape', input_format='NCHW'),
    dict(
        type='PackActionInputs',
        collect_keys=('imgs', 'teacher_imgs'),
        algorithm_keys=('dive_labels', 'final_score'))
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline_with_teacher))
test_evaluator = [
    dict(type='DiveAccuracyMetric'),
    dict(type='HallucinationLossMetric')
]
