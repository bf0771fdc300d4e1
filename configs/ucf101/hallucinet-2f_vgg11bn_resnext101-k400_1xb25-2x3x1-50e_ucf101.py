# Paper: section 4.4 "Using Multiple Frames to Hallucinate", Fig. 6, Table 7,
# row "HalluciNet(2f)" (UCF-101, split 1): the student sees F_j (the centre
# frame) and F_j+3; the shared VGG11-bn encodes both and their 512-d features
# are concatenated in that order (1024-d) for the hallucination head (the
# teacher clip still starts at F_j) and the classifier. Everything else as
# hallucinet-1f_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py ("the exact
# same procedure and parameters"), including the test-set mean L_hallu (x1e-3)
# reported with top-1 accuracy.
_base_ = ['./hallucinet-1f_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py']

model = dict(
    frames_per_step=2,
    cls_head=dict(in_channels=2 * _base_.student_feat_dim),
    hallu_head=dict(in_channels=2 * _base_.student_feat_dim))


def pair_frames(pipeline):
    """The 1f pipeline with its frame sampler showing F_j and F_j+3."""
    return [
        dict(t, type='PairFrameSampler', pair_offset=3)
        if t['type'] == 'SingleFrameSampler' else t for t in pipeline
    ]


train_dataloader = dict(
    dataset=dict(pipeline=pair_frames(_base_.train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=pair_frames(_base_.val_pipeline)))
test_dataloader = dict(
    dataset=dict(pipeline=pair_frames(_base_.test_pipeline_with_teacher)))
