# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Checks the run's teacher-feature stores before the first step."""
from mmaction.registry import HOOKS
from ...store.check import check_dataset_stores
from ...store.reader import VERIFY_MODES
from .split_check_hook import SplitCheckHook


@HOOKS.register_module()
class CheckTeacherFeatureStoreHook(SplitCheckHook):
    """Checks the feature stores of the run's datasets against the config.

    Before training, validation and testing (once each), every
    :class:`~hallucinet_mm.store.LoadTeacherFeatures` of the split's
    dataset opens its store (a truncated or missing file is refused,
    naming it), compares the store's manifest with
    ``build_store_spec(runner.cfg, split)`` and its length with the
    dataset's, so a damaged store, or one made with another teacher,
    checkpoint, layer, dimension, sampling or crop, fails the run before
    the first step.

    Args:
        verify (str): ``'size'`` (file sizes, shapes and dtypes) or
            ``'sha256'`` (also the full sha256 of every shard against
            the manifest, and that every row is finite: reads the whole
            file once). Defaults to ``'size'``.
    """

    priority = 'VERY_HIGH'

    def __init__(self, verify: str = 'size') -> None:
        if verify not in VERIFY_MODES:
            raise ValueError(
                f'verify must be one of {VERIFY_MODES}, got {verify!r}')
        self.verify = verify
        self._done = set()

    def check_split(self, runner, split: str) -> None:
        """Checks the split's stores against the config (once)."""
        if split in self._done:
            return
        loader = getattr(runner, f'{split}_dataloader')
        num = check_dataset_stores(runner.cfg, split, loader.dataset,
                                   self.verify)
        if num:
            runner.logger.info(
                f'teacher-feature store of the {split} split matches '
                f'the config (verified: {self.verify})')
        self._done.add(split)
