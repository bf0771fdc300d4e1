# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Random state in checkpoints, and data randomness that survives resume."""
import random
from typing import Optional

import numpy as np
import torch
from mmengine.dataset import Compose
from mmengine.hooks import Hook
from mmengine.runner import BaseLoop
from torch.utils.data import DataLoader

from mmaction.registry import HOOKS
from ...datasets.sample_seeding import (EpochTaggedSampler, SeededCompose,
                                        keep_tags)
from ...utils.dataset_wrappers import walk_datasets

#: Key of the random state in a checkpoint.
RNG_KEY = 'rng_state'


def capture_rng_state() -> dict:
    """The main process's python, numpy, torch (and CUDA) random states.

    Stored as tensors, tuples and numbers only, so that checkpoints still
    load with ``torch.load(weights_only=True)``.
    """
    name, keys, pos, has_gauss, gauss = np.random.get_state()
    state = dict(python=random.getstate(),
                 numpy=(name, torch.from_numpy(keys.astype(np.int64)),
                        int(pos), int(has_gauss), float(gauss)),
                 torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict) -> None:
    """Sets the random states captured by :func:`capture_rng_state`."""
    random.setstate(state['python'])
    name, keys, pos, has_gauss, gauss = state['numpy']
    np.random.set_state(
        (name, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))
    torch.set_rng_state(state['torch'])
    cuda = state.get('cuda')
    if cuda is not None and torch.cuda.is_available() and \
            len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)


def _loaders(runner):
    for name in ('_train_loop', '_val_loop', '_test_loop'):
        loop = getattr(runner, name, None)
        if isinstance(loop, BaseLoop) and isinstance(
                getattr(loop, 'dataloader', None), DataLoader):
            yield name[1:], loop.dataloader


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Makes a resumed run draw the random numbers an uninterrupted one does.

    MMEngine's checkpoints hold the seed but no random state: a resumed run
    re-seeds, so dropout masks (the main process's torch generator) and the
    random frame choice (the workers' generators, kept across epochs by
    persistent workers) differ from an uninterrupted run. This hook:

    - saves the main process's python, numpy, torch and CUDA random states
      and the sampler's seed in every checkpoint (``rng_state``), and
      restores them when training resumes, just before the first epoch
      (after MMEngine's own re-seeding);
    - gives each data loader a ``torch.Generator`` of its own, so that
      starting a loader's iterator (which draws the workers' base seed) no
      longer consumes the main process's torch stream;
    - makes the training data's randomness a function of (seed, epoch,
      sample index): the loader's sampler is wrapped to tag each index with
      the seed and epoch, and the dataset's pipeline seeds the global
      generators from the tag per sample (see
      :mod:`hallucinet_mm.datasets.sample_seeding`). This holds with any
      number of workers, persistent or not.

    Limitations: in a multi-process run every rank restores rank 0's state
    (exact when ranks draw alike, i.e. without ``diff_rank_seed``); an
    iteration-based loop starts its loader before hooks run, so its first
    pass over the data is untagged.

    Args:
        seed_data (bool): Install the per-sample seeding. Defaults to True.
    """

    priority = 'LOW'

    def __init__(self, seed_data: bool = True) -> None:
        self.seed_data = seed_data
        self._resumed: Optional[dict] = None

    @staticmethod
    def _train_sampler(runner):
        return getattr(runner.train_loop.dataloader, 'sampler', None)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Stores the random state and the sampler's seed."""
        state = capture_rng_state()
        sampler = self._train_sampler(runner)
        if getattr(sampler, 'seed', None) is not None:
            state['sampler_seed'] = int(sampler.seed)
        checkpoint[RNG_KEY] = state

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Keeps the stored state for :meth:`before_train` (resume only:
        a checkpoint loaded to fine-tune from keeps the new run's seed)."""
        if not runner._resume:
            return
        self._resumed = checkpoint.get(RNG_KEY)
        if self._resumed is None:
            runner.logger.warning(
                'the resumed checkpoint holds no random state (written '
                'without RNGStateHook): the run continues, but not exactly '
                'as an uninterrupted one would')

    def before_train(self, runner) -> None:
        """Installs the data seeding, then restores a resumed state."""
        seed = runner.seed
        for _, loader in _loaders(runner):
            if loader.generator is None:
                loader.generator = torch.Generator().manual_seed(seed)
        sampler = self._train_sampler(runner)
        resumed, self._resumed = self._resumed, None
        if resumed is not None and 'sampler_seed' in resumed and \
                hasattr(sampler, 'seed'):
            sampler.seed = resumed['sampler_seed']
        if self.seed_data:
            self._seed_data(runner, seed)
        if resumed is not None:
            restore_rng_state(resumed)

    @staticmethod
    def _seed_data(runner, seed: int) -> None:
        loader = runner.train_loop.dataloader
        batch_sampler = getattr(loader, 'batch_sampler', None)
        if batch_sampler is not None and hasattr(batch_sampler, 'sampler'):
            if not isinstance(batch_sampler.sampler, EpochTaggedSampler):
                batch_sampler.sampler = EpochTaggedSampler(
                    batch_sampler.sampler, seed)
        else:
            runner.logger.warning(
                'RNGStateHook: the train loader has no batch sampler to '
                'wrap; random data choices depend on the worker state')
            return
        for dataset, _ in walk_datasets(loader.dataset):
            keep_tags(dataset)
            pipeline = getattr(dataset, 'pipeline', None)
            if isinstance(pipeline,
                          Compose) and not isinstance(pipeline, SeededCompose):
                dataset.pipeline = SeededCompose(pipeline.transforms)
