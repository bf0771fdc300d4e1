# Copyright (c) hallucinet_mm contributors. All rights reserved.
import pytest

from hallucinet_mm.engine.hooks.split_check_hook import SplitCheckHook


class _Recording(SplitCheckHook):

    def __init__(self):
        self.splits = []

    def check_split(self, runner, split):
        self.splits.append((runner, split))


def test_the_base_alone_cannot_be_built():
    with pytest.raises(TypeError, match='check_split'):
        SplitCheckHook()


def test_each_loop_checks_its_own_split():
    hook, runner = _Recording(), object()
    hook.before_train(runner)
    hook.before_val(runner)
    hook.before_test(runner)
    assert hook.splits == [(runner, 'train'), (runner, 'val'),
                           (runner, 'test')]
