# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Two-frame HalluciNet (paper section 4.4): frames j and j+k, in order."""
import numpy as np
import pytest
import torch

import hallucinet_mm  # noqa: F401  (registers components, applies compat)
from hallucinet_mm.datasets.transforms.frame_samplers import (
    DiveFrameSampler, PairFrameSampler, VideoTooShortError)
from hallucinet_mm.datasets.transforms.split_student_teacher import \
    SplitStudentTeacher
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope

FEAT = 512  # ResNet-18's pooled features


@pytest.fixture(scope='module', autouse=True)
def mmaction_scope():
    init_default_scope('mmaction')


def _sample(sampler, total_frames, **extra):
    results = dict(
        filename='videos/v_Test_g01_c01.avi',
        total_frames=total_frames,
        start_index=0,
        **extra)
    return sampler(results)


def _decode(results):
    """Stands in for DecordDecode: frame i is filled with the value i."""
    results['imgs'] = [
        np.full((8, 8, 3), i, dtype=np.uint8) for i in results['frame_inds']
    ]
    return results


# ----------------------------------------------------------------------
# sampler
# ----------------------------------------------------------------------
def test_pair_sampler_takes_j_and_j_plus_k():
    out = _sample(PairFrameSampler(pair_offset=3, test_mode=True), 40)
    student = out['frame_inds'][out['student_frame_pos']]
    assert student.tolist() == [20, 23]  # centre frame and 3 later
    teacher = out['frame_inds'][out['teacher_frame_pos']]
    assert teacher.tolist() == [list(range(20, 36))]  # from j, not j+k
    assert out['num_clips'] == 2 and out['clip_len'] == 1
    assert out['anchor_inds'].tolist() == [20]
    # one decode call: sorted unique frames
    assert out['frame_inds'].tolist() == sorted(set(out['frame_inds']))


def test_pair_sampler_start_index_and_student_only():
    sampler = PairFrameSampler(pair_offset=3, with_teacher=False,
                               test_mode=True)
    out = _sample(sampler, 40)
    out2 = sampler(
        dict(filename='x.avi', total_frames=40, start_index=1))
    assert out['frame_inds'].tolist() == [20, 23]
    assert out2['frame_inds'].tolist() == [21, 24]  # file numbering from 1
    assert 'teacher_frame_pos' not in out


@pytest.mark.parametrize('total, expected', [(7, [3, 6]), (6, [2, 5]),
                                             (4, [0, 3])])
def test_pair_sampler_moves_back_near_the_end(total, expected):
    out = _sample(PairFrameSampler(pair_offset=3, test_mode=True), total)
    assert out['frame_inds'][out['student_frame_pos']].tolist() == expected
    teacher = out['frame_inds'][out['teacher_frame_pos']][0]
    assert len(teacher) == 16 and teacher.max() == total - 1
    assert teacher[0] == max(0, min(expected[0], total - 16))


def test_pair_sampler_random_mode_keeps_the_pair_inside():
    sampler = PairFrameSampler(pair_offset=3, mode='random')
    for _ in range(50):
        out = _sample(sampler, 10)
        j, jk = out['frame_inds'][out['student_frame_pos']]
        assert jk - j == 3 and 0 <= j and jk <= 9


def test_pair_sampler_too_short_names_the_file():
    with pytest.raises(VideoTooShortError, match='v_Test_g01_c01.avi'):
        _sample(PairFrameSampler(pair_offset=3), 3)
    with pytest.raises(VideoTooShortError, match='needs at least 4'):
        _sample(PairFrameSampler(pair_offset=3), 3)
    with pytest.raises(VideoTooShortError, match='whole_videos_frames/01'):
        DiveFrameSampler(pair_offset=3)(
            dict(frame_dir='whole_videos_frames/01', total_frames=2,
                 end_frame=1))


def test_dive_sampler_pairs_each_step():
    sampler = DiveFrameSampler(
        num_steps=6,
        step=16,
        window_len=103,
        jitter=3,
        pair_offset=3,
        test_mode=True)
    out = _sample(sampler, 300, end_frame=202)
    student = out['frame_inds'][out['student_frame_pos']].reshape(6, 2)
    starts = 100 + 16 * np.arange(6)  # window 100..202
    assert student[:, 0].tolist() == starts.tolist()
    assert (student[:, 1] - student[:, 0]).tolist() == [3] * 6
    teacher = out['frame_inds'][out['teacher_frame_pos']]
    assert teacher[:, 0].tolist() == starts.tolist()


def test_split_keeps_the_pair_order():
    out = _decode(
        _sample(PairFrameSampler(pair_offset=3, test_mode=True), 40))
    out = SplitStudentTeacher()(out)
    assert [int(f[0, 0, 0]) for f in out['imgs']] == [20, 23]
    clip = out['teacher_imgs']  # (1, C, T, H, W)
    assert clip.shape == (1, 3, 16, 8, 8)
    assert clip[0, 0, :, 0, 0].tolist() == list(range(20, 36))


# ----------------------------------------------------------------------
# recognizer
# ----------------------------------------------------------------------
def _model(frames_per_step=2, cls_head='tsn', hallu_out=16):
    in_channels = FEAT * frames_per_step
    if cls_head == 'tsn':
        head = dict(type='TSNHead', num_classes=5, in_channels=in_channels)
    else:
        head = dict(
            type='DiveMultiHead',
            in_channels=in_channels,
            hidden_channels=8,
            fields=dict(position=3, armstand=2),
            with_score=True)
    model = MODELS.build(
        dict(
            type='HalluciNetRecognizer',
            backbone=dict(type='ResNet', depth=18, pretrained=None),
            cls_head=head,
            hallu_head=dict(
                type='HallucinationHead',
                in_channels=in_channels,
                out_channels=hallu_out,
                init_cfg=dict(type='Normal', layer='Linear', std=0.1)),
            frames_per_step=frames_per_step))
    model.init_weights()
    return model.eval()


def _frame_feats(model, frames):
    """Pooled backbone features of single frames, (B, 512)."""
    with torch.no_grad():
        x = model.backbone(frames)
    return x.flatten(2).mean(2)


def test_two_frame_features_are_ordered_concatenations():
    torch.manual_seed(0)
    model = _model()
    imgs = torch.rand(2, 4, 3, 32, 32)  # 2 samples x 2 steps x 2 frames
    with torch.no_grad():
        feats = model(dict(imgs=imgs), mode='tensor', stage='features')
        phi_s = model(dict(imgs=imgs), mode='tensor', stage='hallucinated')
    assert feats.shape == (4, 2 * FEAT)  # (N * steps, 2 * C)
    assert phi_s.shape == (4, 16)
    single = _frame_feats(model, imgs.reshape(-1, 3, 32, 32))
    expected = single.reshape(4, 2, FEAT)  # step-major, frames j then j+k
    torch.testing.assert_close(feats[:, :FEAT], expected[:, 0])
    torch.testing.assert_close(feats[:, FEAT:], expected[:, 1])
    with torch.no_grad():
        torch.testing.assert_close(phi_s, model.hallu_head(feats))


def test_swapping_the_two_frames_changes_phi_s():
    torch.manual_seed(0)
    model = _model()
    imgs = torch.rand(2, 2, 3, 32, 32)
    swapped = imgs[:, [1, 0]]
    with torch.no_grad():
        phi = model(dict(imgs=imgs), mode='tensor', stage='hallucinated')
        phi_swapped = model(
            dict(imgs=swapped), mode='tensor', stage='hallucinated')
        feats = model(dict(imgs=imgs), mode='tensor', stage='features')
        feats_swapped = model(
            dict(imgs=swapped), mode='tensor', stage='features')
    # The same two features, in the other order: the head sees the order.
    torch.testing.assert_close(feats_swapped[:, :FEAT], feats[:, FEAT:])
    torch.testing.assert_close(feats_swapped[:, FEAT:], feats[:, :FEAT])
    assert not torch.allclose(phi, phi_swapped, atol=1e-6)


def test_two_frames_need_a_multiple_of_frames_per_step():
    model = _model()
    with pytest.raises(ValueError, match='not a multiple of'):
        model(dict(imgs=torch.rand(1, 3, 3, 32, 32)), mode='tensor')


def test_two_frame_losses_and_predictions_with_dive_head():
    torch.manual_seed(0)
    model = _model(cls_head='dive').train()
    steps, num = 3, 2
    imgs = torch.rand(num, steps * 2, 3, 32, 32)
    teacher_feats = torch.rand(num, steps, 16)  # precomputed phi_t
    samples = []
    for i in range(num):
        sample = ActionDataSample()
        sample.set_field(np.array([i, 1, 0, 0, 0]), 'dive_labels')
        sample.set_field(40.0 + i, 'final_score')
        samples.append(sample)
    losses = model(
        dict(imgs=imgs, teacher_feats=teacher_feats), samples, mode='loss')
    assert {'loss_position', 'loss_armstand', 'loss_score',
            'loss_hallu'} <= set(losses)
    model.eval()
    with torch.no_grad():
        preds = model(
            dict(imgs=imgs, teacher_feats=teacher_feats),
            samples,
            mode='predict')
    assert preds[0].pred_dive_labels.shape == (2, )
    assert 'hallu_loss' in preds[0] and 'pred_score' in preds[0]
    # per-sample test loss: the mean over that sample's steps
    with torch.no_grad():
        phi_s = model(dict(imgs=imgs), mode='tensor', stage='hallucinated')
    per_step = ((torch.sigmoid(phi_s) -
                 torch.sigmoid(teacher_feats.reshape(-1, 16)))**2).mean(1)
    torch.testing.assert_close(
        torch.stack([p.hallu_loss for p in preds]),
        per_step.reshape(num, steps).mean(1))
