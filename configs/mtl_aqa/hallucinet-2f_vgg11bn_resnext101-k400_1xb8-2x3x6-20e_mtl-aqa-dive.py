# Paper: section 4.4 "Using Multiple Frames to Hallucinate", Fig. 6, Table 8,
# row "HalluciNet(2f)" (MTL-AQA dive classification). Each of the 6 steps shows
# the student two frames, F_j and F_j+3; the shared VGG11-bn encodes both and
# their 512-d features are concatenated in that order (1024-d), which feeds the
# hallucination head (the teacher clip still starts at F_j) and the LSTM.
# Everything else as
# hallucinet-1f_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-dive.py ("the
# exact same procedure and parameters"), including the test-set mean L_hallu
# (x1e-3) reported next to the accuracies.
_base_ = [
    './hallucinet-1f_vgg11bn_resnext101-k400_1xb8-1x16x6-20e_mtl-aqa-dive.py'
]

model = dict(
    frames_per_step=2,
    cls_head=dict(in_channels=2 * _base_.student_feat_dim),
    hallu_head=dict(in_channels=2 * _base_.student_feat_dim))


def pair_frames(pipeline):
    """The 1f pipeline with its dive sampler showing F_j and F_j+3."""
    return [
        dict(t, pair_offset=3) if t['type'] == 'DiveFrameSampler' else t
        for t in pipeline
    ]


train_dataloader = dict(
    dataset=dict(pipeline=pair_frames(_base_.train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=pair_frames(_base_.test_pipeline)))
test_dataloader = dict(
    dataset=dict(pipeline=pair_frames(_base_.test_pipeline_with_teacher)))
