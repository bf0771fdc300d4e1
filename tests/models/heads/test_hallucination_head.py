"""Tests for HallucinationHead: layers, its loss config, loss/predict split."""
import pytest
import torch
from mmengine.config import Config

from hallucinet_mm.models.heads import HallucinationHead
from hallucinet_mm.models.losses import HalluciNetCosineLoss, HallucinationLoss
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample


def _reference_loss(phi_s, phi_t):
    """mean((1 / (1 + e^-s) - 1 / (1 + e^-t))^2), written out."""
    s = 1.0 / (1.0 + torch.exp(-phi_s.double()))
    t = 1.0 / (1.0 + torch.exp(-phi_t.double()))
    return ((s - t)**2).sum() / phi_s.numel()


def test_loss_by_feat_matches_formula():
    torch.manual_seed(0)
    phi_s, phi_t = torch.randn(4, 10), torch.randn(4, 10) * 3
    head = HallucinationHead(in_channels=8, out_channels=10)
    assert isinstance(head.loss_hallu, HallucinationLoss)
    losses = head.loss_by_feat(phi_s, phi_t)
    assert set(losses) == {'loss_hallu'}
    expected = 50.0 * _reference_loss(phi_s, phi_t)
    assert torch.allclose(losses['loss_hallu'].double(), expected, atol=1e-6)


def test_loss_runs_forward_then_loss_by_feat():
    torch.manual_seed(0)
    head = HallucinationHead(in_channels=8, out_channels=10)
    feats, phi_t = torch.randn(3, 8, 1, 1), torch.randn(3, 10)
    losses = head.loss(feats, phi_t)
    torch.testing.assert_close(
        losses['loss_hallu'],
        50.0 * _reference_loss(head(feats), phi_t).float())
    losses['loss_hallu'].backward()
    assert head.layers[0].weight.grad is not None


def test_loss_weight_lives_in_the_loss_config():
    phi_s, phi_t = torch.randn(2, 5), torch.randn(2, 5)
    one = HallucinationHead(
        3, 5, loss_hallu=dict(type='HallucinationLoss',
                              loss_weight=1.0)).loss_by_feat(phi_s, phi_t)
    fifty = HallucinationHead(3, 5).loss_by_feat(phi_s, phi_t)
    assert torch.isclose(fifty['loss_hallu'], 50 * one['loss_hallu'])


def test_loss_is_swappable_for_a_registered_alternative():
    phi_s, phi_t = torch.randn(2, 5), torch.randn(2, 5)
    head = MODELS.build(
        dict(
            type='HallucinationHead',
            in_channels=3,
            out_channels=5,
            loss_hallu=dict(type='HalluciNetCosineLoss', loss_weight=2.0)))
    assert isinstance(head.loss_hallu, HalluciNetCosineLoss)
    expected = 2.0 * (1 - torch.cosine_similarity(phi_s, phi_t)).mean()
    torch.testing.assert_close(
        head.loss_by_feat(phi_s, phi_t)['loss_hallu'], expected)


def test_predict_by_feat_stores_unweighted_per_sample_loss():
    """Each sample's hallu_loss is the unweighted loss averaged over its
    steps (rows are sample-major)."""
    torch.manual_seed(0)
    n, steps = 2, 3
    phi_s, phi_t = torch.randn(n * steps, 6), torch.randn(n * steps, 6)
    head = HallucinationHead(4, 6)
    samples = [ActionDataSample() for _ in range(n)]
    out = head.predict_by_feat(phi_s, phi_t, samples)
    assert out is samples
    for i, sample in enumerate(out):
        rows = slice(i * steps, (i + 1) * steps)
        assert sample.hallu_loss.shape == ()
        torch.testing.assert_close(
            sample.hallu_loss.double(),
            _reference_loss(phi_s[rows], phi_t[rows]))
    # predict = forward + predict_by_feat
    feats = torch.randn(n * steps, 4)
    again = head.predict(feats, phi_t, [ActionDataSample() for _ in range(n)])
    torch.testing.assert_close(
        again[0].hallu_loss.double(),
        _reference_loss(head(feats)[:steps], phi_t[:steps]))


def test_predict_by_feat_with_zero_weight_still_reports_the_loss():
    """loss_weight=0 (vanilla training) keeps the test-time metric."""
    phi_s, phi_t = torch.zeros(1, 3), torch.ones(1, 3)
    head = HallucinationHead(
        2, 3, loss_hallu=dict(type='HallucinationLoss', loss_weight=0.0))
    sample = head.predict_by_feat(phi_s, phi_t, [ActionDataSample()])[0]
    torch.testing.assert_close(sample.hallu_loss.double(),
                               _reference_loss(phi_s, phi_t))


def test_forward_shapes_and_layers():
    head = MODELS.build(
        dict(type='HallucinationHead', in_channels=16, out_channels=32))
    assert [type(m).__name__ for m in head.layers] == ['Linear', 'ReLU']
    out = head(torch.randn(3, 16, 1, 1))
    assert out.shape == (3, 32) and (out >= 0).all()
    deep = HallucinationHead(16, 32, num_layers=3, hidden_channels=8,
                             final_act=False)
    names = [type(m).__name__ for m in deep.layers]
    assert names == ['Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']
    assert deep.layers[0].out_features == 8
    assert deep(torch.randn(2, 16)).shape == (2, 32)


def test_errors():
    head = HallucinationHead(16, 32)
    with pytest.raises(ValueError, match='16-d'):
        head(torch.randn(2, 15))
    with pytest.raises(ValueError, match='differ'):
        head.loss_by_feat(torch.randn(2, 32), torch.randn(2, 31))
    with pytest.raises(ValueError, match='num_layers'):
        HallucinationHead(16, 32, num_layers=0)
    with pytest.raises(ValueError, match='loss_weight'):
        HallucinationHead(
            16, 32, loss_hallu=dict(type='HallucinationLoss',
                                    loss_weight=-1))
    with pytest.raises(TypeError, match='loss_hallu: CrossEntropyLoss'):
        HallucinationHead(16, 32, loss_hallu=dict(type='CrossEntropyLoss'))
    with pytest.raises(ValueError, match='one view'):
        head.predict_by_feat(
            torch.randn(6, 32), torch.randn(3, 32), [ActionDataSample()] * 3)
    with pytest.raises(ValueError, match='4 steps cannot be split over 3'):
        head.predict_by_feat(
            torch.randn(4, 32), torch.randn(4, 32), [ActionDataSample()] * 3)


def test_loss_weight_argument_is_refused(tmp_path):
    """A config passing loss_weight to the head (it is loss_hallu's) fails.
    """
    cfg_file = tmp_path / 'old_head.py'
    cfg_file.write_text(
        "model = dict(type='HallucinationHead', in_channels=4, "
        'out_channels=8, loss_weight=50.0)\n')
    with pytest.raises(TypeError,
                       match="unexpected keyword argument 'loss_weight'"):
        MODELS.build(Config.fromfile(str(cfg_file)).model)
    with pytest.raises(TypeError, match="unexpected keyword argument 'lamda'"):
        HallucinationHead(4, 8, lamda=50)
