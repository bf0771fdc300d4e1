"""RNGStateHook: a resumed run is bit-identical to an uninterrupted one."""
import random
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from hallucinet_mm.compat import safe_torch_load
from hallucinet_mm.engine.hooks.rng_state_hook import (RNGStateHook,
                                                       capture_rng_state,
                                                       restore_rng_state)
from tests.engine.hooks.toy_runner import toy_runner, weights


def _interrupted(work_dir, num_workers, custom_hooks=None):
    """1 epoch, then a new runner resumes to 3 (as after a crash)."""
    toy_runner(work_dir,
               max_epochs=1,
               num_workers=num_workers,
               custom_hooks=custom_hooks).train()
    runner = toy_runner(work_dir,
                        max_epochs=3,
                        resume=True,
                        num_workers=num_workers,
                        custom_hooks=custom_hooks)
    runner.train()
    return weights(runner)


def _equal(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize('num_workers', [0, 1])
def test_resume_is_bit_exact(tmp_path, num_workers):
    """Dropout (main process) and numpy noise in the (persistent) workers."""
    full = toy_runner(tmp_path / 'full', max_epochs=3, num_workers=num_workers)
    full.train()
    assert _equal(weights(full), _interrupted(tmp_path / 'resumed',
                                              num_workers))
    state = safe_torch_load(str(tmp_path / 'resumed' / 'epoch_1.pth'))
    assert set(
        state['rng_state']) >= {'python', 'numpy', 'torch', 'sampler_seed'}


def test_without_the_hook_resume_differs(tmp_path):
    """The toy run is sensitive to the state the hook restores."""
    full = toy_runner(tmp_path / 'full', max_epochs=3, custom_hooks=[])
    full.train()
    assert not _equal(weights(full),
                      _interrupted(tmp_path / 'resumed', 1, custom_hooks=[]))


def test_capture_and_restore_round_trip():
    state = capture_rng_state()
    drawn = (random.random(), np.random.rand(), torch.rand(1))
    restore_rng_state(state)
    assert (random.random(), np.random.rand()) == drawn[:2]
    assert torch.equal(torch.rand(1), drawn[2])


def test_only_a_resumed_checkpoint_restores_the_state():
    """A checkpoint loaded to fine-tune from keeps the new run's stream."""
    hook = RNGStateHook()
    checkpoint = dict(rng_state=capture_rng_state())
    hook.after_load_checkpoint(SimpleNamespace(_resume=False), checkpoint)
    assert hook._resumed is None
    hook.after_load_checkpoint(SimpleNamespace(_resume=True), checkpoint)
    assert hook._resumed is checkpoint['rng_state']
