"""A hook's arguments are checked when the config is read."""
import pytest
from mmengine.config import Config

import hallucinet_mm  # noqa: F401  (registers the hooks)
from hallucinet_mm.engine.hook_args import HookArgumentError, check_hook_args


def _cfg(**checkpoint):
    return Config(
        dict(
            default_hooks=dict(
                checkpoint=dict(type='AtomicCheckpointHook', **checkpoint),
                timer=dict(type='IterTimerHook', _scope_='mmaction')),
            custom_hooks=[dict(type='RNGStateHook')]))


def test_checkpoint_hook_typo_is_refused_at_build_time():
    check_hook_args(_cfg(interval=1, max_keep_ckpts=2), 'my.py')
    with pytest.raises(HookArgumentError) as err:
        check_hook_args(_cfg(intervall=1), 'my.py')
    msg = str(err.value)
    assert msg.startswith('my.py: default_hooks.checkpoint.intervall: '
                          "AtomicCheckpointHook takes no argument 'intervall'")
    assert "did you mean 'interval'" in msg


def test_custom_hook_typo_is_refused():
    cfg = _cfg()
    cfg.custom_hooks = [dict(type='CheckTrainingDataHook', full_hash=True)]
    with pytest.raises(HookArgumentError,
                       match=r"custom_hooks\[0\]\.full_hash: "
                       "CheckTrainingDataHook takes no argument"):
        check_hook_args(cfg, 'my.py')
