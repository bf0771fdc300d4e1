"""Tests for HallucinationHead and the hallucination loss."""
import pytest
import torch

from hallucinet_mm.models.heads import HallucinationHead, hallucination_loss
from mmaction.registry import MODELS


def _reference_loss(phi_s, phi_t):
    """mean((1 / (1 + e^-s) - 1 / (1 + e^-t))^2), written out."""
    s = 1.0 / (1.0 + torch.exp(-phi_s.double()))
    t = 1.0 / (1.0 + torch.exp(-phi_t.double()))
    return ((s - t)**2).sum() / phi_s.numel()


def test_loss_matches_formula():
    torch.manual_seed(0)
    phi_s, phi_t = torch.randn(4, 10), torch.randn(4, 10) * 3
    head = HallucinationHead(in_channels=8, out_channels=10)
    losses = head.loss(phi_s, phi_t)
    assert set(losses) == {'loss_hallu'}
    expected = 50.0 * _reference_loss(phi_s, phi_t)
    assert torch.allclose(losses['loss_hallu'].double(), expected, atol=1e-6)
    per_sample = hallucination_loss(phi_s, phi_t, reduction='none')
    assert per_sample.shape == (4, )
    for i in range(4):
        assert torch.isclose(per_sample[i].double(),
                             _reference_loss(phi_s[i:i + 1],
                                             phi_t[i:i + 1]),
                             atol=1e-6)
    assert hallucination_loss(phi_t, phi_t) == 0


def test_loss_weight_scales():
    phi_s, phi_t = torch.randn(2, 5), torch.randn(2, 5)
    one = HallucinationHead(3, 5, loss_weight=1.0).loss(phi_s, phi_t)
    fifty = HallucinationHead(3, 5).loss(phi_s, phi_t)
    assert torch.isclose(fifty['loss_hallu'], 50 * one['loss_hallu'])


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
        head.loss(torch.randn(2, 32), torch.randn(2, 31))
    with pytest.raises(ValueError, match='num_layers'):
        HallucinationHead(16, 32, num_layers=0)
    with pytest.raises(ValueError, match='loss_weight'):
        HallucinationHead(16, 32, loss_weight=-1)
