"""FiniteCheckHook: a NaN loss or weight stops training before a checkpoint."""
import os
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn

from hallucinet_mm.compat import safe_torch_load
from hallucinet_mm.engine.hooks import FiniteCheckHook
from hallucinet_mm.utils.finite import NonFiniteError, check_finite
from tests.engine.hooks.toy_runner import ToyModel, toy_runner

GUARDED = [dict(type='FiniteCheckHook'), dict(type='RNGStateHook')]


class NaNAfter(ToyModel):
    """A model whose loss turns NaN from the ``start``-th training step."""

    def __init__(self, start):
        super().__init__()
        self.start, self.steps = start, 0

    def forward(self, inputs, target=None, mode='tensor'):
        out = super().forward(inputs, target, mode)
        if mode == 'loss':
            self.steps += 1
            if self.steps >= self.start:
                out['loss'] = out['loss'] * float('nan')
        return out


def test_a_nan_loss_never_reaches_a_checkpoint_nor_rotates_a_good_one(
        tmp_path):
    toy_runner(tmp_path,
               max_epochs=1,
               num_workers=0,
               max_keep_ckpts=1,
               custom_hooks=GUARDED).train()
    good = (tmp_path / 'epoch_1.pth').read_bytes()
    runner = toy_runner(tmp_path,
                        max_epochs=3,
                        resume=True,
                        num_workers=0,
                        max_keep_ckpts=1,
                        custom_hooks=GUARDED,
                        model=NaNAfter(start=3))
    with pytest.raises(NonFiniteError,
                       match=r'loss = \[nan\] at epoch 2, '
                       r'iteration 7 \(batch 3 of the epoch\)'):
        runner.train()
    assert sorted(f for f in os.listdir(tmp_path)
                  if 'pth' in f) == ['epoch_1.pth']
    assert (tmp_path / 'epoch_1.pth').read_bytes() == good
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_1.pth'
    state = safe_torch_load(str(tmp_path / 'epoch_1.pth'))['state_dict']
    assert all(torch.isfinite(v).all() for v in state.values())


def test_a_non_finite_weight_is_named():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    model[1].running_var[1] = float('inf')
    runner = SimpleNamespace(model=model, epoch=1, iter=9)
    with pytest.raises(NonFiniteError,
                       match=r'model weight 1.running_var has 1 NaN or '
                       r'infinite values of 2 after epoch 2, iteration 10'):
        FiniteCheckHook().check_weights(runner)
    model[1].running_var[1] = 1.0
    FiniteCheckHook().check_weights(runner)  # finite: passes


def test_check_finite_names_the_source_and_passes_finite_values():
    x = torch.tensor([1.0, float('nan'), float('-inf')])
    with pytest.raises(NonFiniteError,
                       match='teacher t.pth: 2 of 3 values are NaN'):
        check_finite(x, 'teacher t.pth')
    assert check_finite(torch.ones(2), 'x') is not None
    assert check_finite(torch.tensor([1, 2]), 'ints') is not None


def test_param_interval_is_checked():
    with pytest.raises(ValueError, match='param_interval must be >= 0'):
        FiniteCheckHook(param_interval=-1)


@pytest.mark.parametrize('bad', [float('nan'), float('inf'), float('-inf')])
@pytest.mark.parametrize('where', [0, 5, -1])
def test_check_weights_finds_one_bad_entry_anywhere(bad, where):
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    with torch.no_grad():
        model[1].weight.view(-1)[where] = bad
    runner = SimpleNamespace(model=model, epoch=0, iter=0)
    with pytest.raises(NonFiniteError,
                       match=r'model weight 1.weight has 1 NaN or infinite '
                       r'values of 6'):
        FiniteCheckHook().check_weights(runner)


def test_check_weights_passes_huge_finite_and_empty_tensors():
    model = nn.Linear(2, 2)
    with torch.no_grad():
        model.weight.fill_(3e38)  # near float32's max: still finite
    model.register_buffer('empty', torch.zeros(0))
    model.register_buffer('fp16', torch.full((3, ), 6e4).half())
    FiniteCheckHook().check_weights(
        SimpleNamespace(model=model, epoch=0, iter=0))
