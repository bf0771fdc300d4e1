# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The base of the hooks that check each split before its loop."""
from abc import ABCMeta, abstractmethod

from mmengine.hooks import Hook


class SplitCheckHook(Hook, metaclass=ABCMeta):
    """Calls :meth:`check_split` before training, validation and testing,
    with ``'train'``, ``'val'`` or ``'test'``."""

    @abstractmethod
    def check_split(self, runner, split: str) -> None:
        """Checks one split of the run (``runner.<split>_dataloader``)."""

    def before_train(self, runner) -> None:
        """Checks the train split."""
        self.check_split(runner, 'train')

    def before_val(self, runner) -> None:
        """Checks the val split."""
        self.check_split(runner, 'val')

    def before_test(self, runner) -> None:
        """Checks the test split."""
        self.check_split(runner, 'test')
