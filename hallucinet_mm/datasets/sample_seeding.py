# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Random data choices as a function of (seed, epoch, sample index).

Why: a DataLoader worker seeds its numpy/python/torch generators once, when
it starts, and with ``persistent_workers=True`` keeps them for the whole
run. A random frame choice (or crop, flip ...) then depends on everything
that worker drew in earlier epochs, and a resumed run, whose fresh workers
start again from their initial seeds, draws differently. Nothing of the
workers' state is in a checkpoint.

The cure: each training sample gets its own random stream, rebuilt from
``(seed, epoch, index)`` in whichever process reads the sample.

How the epoch reaches the workers: only the main process knows it (the
sampler's ``set_epoch``), and a persistent worker holds its own copy of the
dataset, so an attribute set in the main process never reaches it. The
indices, however, travel from the main process's sampler to the workers
with every batch. :class:`EpochTaggedSampler` wraps the loader's sampler
and yields :class:`SampleIndex` values: plain ``int`` indices that also
carry ``seed`` and ``epoch``. MMEngine's ``BaseDataset.get_data_info``
stores the index it was given as ``results['sample_idx']``, so every
transform sees the tag:

- the frame samplers draw from :func:`sample_rng` (a generator of its
  own, seeded by the tag);
- :class:`SeededCompose` runs the whole pipeline with numpy's, python's and
  torch's global generators seeded by the tag (for MMAction2's random crops
  and flips), then restores the caller's generators, so the main process's
  streams (dropout) are untouched when ``num_workers=0``.

MMEngine's dataset wrappers (``ConcatDataset``, ``RepeatDataset``,
``ClassBalancedDataset``) compute their inner index with plain ``int``
arithmetic; :func:`keep_tags` makes them pass the tag on, keyed by the
outer index.

``RNGStateHook`` installs both before training starts. Without it (an
untagged index, e.g. a dataset used outside the Runner) the old behaviour
holds: draws come from numpy's global generator.
"""
import random
from contextlib import contextmanager
from typing import Iterator, Optional, Sequence

import numpy as np
import torch
from mmengine.dataset import (ClassBalancedDataset, Compose, ConcatDataset,
                              RepeatDataset)

#: Distinct streams drawn from one (seed, epoch, index).
_PIPELINE_STREAM = 0
_FRAME_STREAM = 1


class SampleIndex(int):
    """A dataset index that carries the sampling seed and epoch.

    It is an ``int`` for every use (indexing, arithmetic, printing); the
    extra attributes survive pickling to DataLoader workers and deep
    copies.

    Args:
        index (int): The dataset index.
        seed (int): The run's random seed.
        epoch (int): The 0-based training epoch.
        key (int, optional): The index that names the sample in the seed
            (the outer index when a dataset wrapper maps it to an inner
            one). Defaults to ``index``.
    """

    def __new__(cls,
                index: int,
                seed: int,
                epoch: int,
                key: Optional[int] = None) -> 'SampleIndex':
        obj = super().__new__(cls, index)
        obj.seed = int(seed)
        obj.epoch = int(epoch)
        obj.key = int(index if key is None else key)
        return obj

    def __reduce__(self):
        return SampleIndex, (int(self), self.seed, self.epoch, self.key)

    def entropy(self, stream: int) -> Sequence[int]:
        """The seed words of one random stream of this sample."""
        return [self.seed % 2**64, self.epoch, self.key, stream]


def retag(index: int, tagged: int) -> int:
    """``index`` with the tag (seed, epoch, key) of ``tagged``, if any."""
    if not isinstance(tagged, SampleIndex):
        return index
    return SampleIndex(index, tagged.seed, tagged.epoch, key=tagged.key)


def sample_rng(results: dict) -> np.random.Generator:
    """A generator for the random choices of one sample.

    Args:
        results (dict): The pipeline's result dict (``sample_idx`` is read).

    Returns:
        np.random.Generator: Seeded by ``(seed, epoch, sample_idx)`` when
        the index is a :class:`SampleIndex`; otherwise seeded by one draw
        from numpy's global generator (the behaviour without
        ``RNGStateHook``).
    """
    index = results.get('sample_idx')
    if isinstance(index, SampleIndex):
        return np.random.default_rng(index.entropy(_FRAME_STREAM))
    return np.random.default_rng(np.random.randint(2**31))


@contextmanager
def seeded_global_rng(entropy: Sequence[int]) -> Iterator[None]:
    """Seeds numpy's, python's and torch's (CPU) global generators.

    The previous states are restored on exit.

    Args:
        entropy (Sequence[int]): Non-negative seed words.
    """
    np_state, py_state = np.random.get_state(), random.getstate()
    torch_state = torch.get_rng_state()
    words = np.random.SeedSequence(entropy).generate_state(2, np.uint32)
    np.random.seed(int(words[0]))
    random.seed(int(words[1]))
    torch.manual_seed(int(words[0]) << 32 | int(words[1]))
    try:
        yield
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
        torch.set_rng_state(torch_state)


class SeededCompose(Compose):
    """``Compose`` that seeds the global generators per tagged sample.

    Args:
        transforms (Sequence[callable]): The built transforms.
    """

    def __call__(self, data: dict) -> Optional[dict]:
        index = data.get('sample_idx')
        if not isinstance(index, SampleIndex):
            return super().__call__(data)
        with seeded_global_rng(index.entropy(_PIPELINE_STREAM)):
            return super().__call__(data)


class TagKeepingConcatDataset(ConcatDataset):
    """MMEngine's ``ConcatDataset``, passing :class:`SampleIndex` tags on."""

    def _get_ori_dataset_idx(self, idx):
        dataset_idx, sample_idx = super()._get_ori_dataset_idx(idx)
        return dataset_idx, retag(sample_idx, idx)


class TagKeepingRepeatDataset(RepeatDataset):
    """MMEngine's ``RepeatDataset``, passing :class:`SampleIndex` tags on."""

    def _get_ori_dataset_idx(self, idx):
        return retag(super()._get_ori_dataset_idx(idx), idx)


class TagKeepingClassBalancedDataset(ClassBalancedDataset):
    """MMEngine's ``ClassBalancedDataset``, passing the tags on."""

    def _get_ori_dataset_idx(self, idx):
        return retag(super()._get_ori_dataset_idx(idx), idx)


_TAG_KEEPING = {
    ConcatDataset: TagKeepingConcatDataset,
    RepeatDataset: TagKeepingRepeatDataset,
    ClassBalancedDataset: TagKeepingClassBalancedDataset,
}


def keep_tags(dataset) -> bool:
    """Makes one of MMEngine's dataset wrappers pass the tags on.

    The wrappers map an index to their inner dataset's with plain ``int``
    arithmetic, which drops the tag; the instance's class is switched to
    the matching subclass above (same state, one method more).

    Returns:
        bool: Whether ``dataset`` is such a wrapper.
    """
    for wrapper, keeping in _TAG_KEEPING.items():
        if type(dataset) in (wrapper, keeping):
            dataset.__class__ = keeping
            return True
    return False


class EpochTaggedSampler:
    """Wraps a sampler; yields its indices as :class:`SampleIndex`.

    Args:
        sampler: The wrapped sampler. Its ``epoch`` attribute (set by
            ``set_epoch``, as MMEngine's ``DefaultSampler`` does) is read
            when iteration starts; 0 if it has none.
        seed (int): The run's random seed.
    """

    def __init__(self, sampler, seed: int) -> None:
        self.sampler = sampler
        self.seed = int(seed)

    def __iter__(self) -> Iterator[SampleIndex]:
        epoch = int(getattr(self.sampler, 'epoch', 0))
        for index in self.sampler:
            yield SampleIndex(index, self.seed, epoch)

    def __len__(self) -> int:
        return len(self.sampler)

    def set_epoch(self, epoch: int) -> None:
        """Passes the epoch on to the wrapped sampler."""
        self.sampler.set_epoch(epoch)
