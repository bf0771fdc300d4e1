# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The one walk through mmengine's dataset wrappers.

``RepeatDataset`` and ``ClassBalancedDataset`` wrap one dataset
(``.dataset``), ``ConcatDataset`` several (``.datasets``). A dataset that
holds a ``pipeline`` (MMEngine's ``BaseDataset``) is not a wrapper.
"""
from typing import Iterator, Tuple


def is_wrapper(dataset) -> bool:
    """Whether ``dataset`` wraps others and holds no pipeline itself."""
    if hasattr(dataset, 'pipeline'):
        return False
    return getattr(dataset, 'dataset', None) is not None or bool(
        getattr(dataset, 'datasets', None))


def walk_datasets(dataset, split: str = '') -> Iterator[Tuple[object, str]]:
    """Every dataset of a (wrapped) dataset, each wrapper before its inner.

    A dataset of a ``ConcatDataset`` is named ``'<split>.<index>'`` (the
    name :func:`hallucinet_mm.store.spec.dataset_cfg` takes); a wrapper of
    one dataset passes its name on.

    Args:
        dataset: The built dataset, wrappers allowed.
        split (str): The outer dataset's name, e.g. ``'train'``. Defaults
            to ``''``.

    Yields:
        tuple: ``(dataset, name)``, wrappers included.
    """
    yield dataset, split
    if not is_wrapper(dataset):
        return
    inner = getattr(dataset, 'dataset', None)
    if inner is not None:
        yield from walk_datasets(inner, split)
    for i, sub in enumerate(getattr(dataset, 'datasets', None) or []):
        yield from walk_datasets(sub, f'{split}.{i}')


def leaf_datasets(dataset, split: str = '') -> Iterator[Tuple[object, str]]:
    """The datasets of :func:`walk_datasets` that are not wrappers.

    Args:
        dataset: The built dataset, wrappers allowed.
        split (str): The outer dataset's name. Defaults to ``''``.

    Yields:
        tuple: ``(dataset, name)``.
    """
    for ds, name in walk_datasets(dataset, split):
        if not is_wrapper(ds):
            yield ds, name
