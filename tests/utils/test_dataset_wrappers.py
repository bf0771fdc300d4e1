# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for hallucinet_mm/utils/dataset_wrappers.py, the one walk through
dataset wrappers, against the three walks it replaced (written out here)."""
import types

from hallucinet_mm.utils.dataset_wrappers import (is_wrapper, leaf_datasets,
                                                  walk_datasets)


class _Leaf:
    """A dataset as MMEngine's BaseDataset: a pipeline and an ann_file."""

    def __init__(self, name):
        self.name = name
        self.pipeline = []
        self.ann_file = f'{name}.txt'


def _repeat(inner):
    return types.SimpleNamespace(dataset=inner, times=2)


def _concat(*inner):
    return types.SimpleNamespace(datasets=list(inner))


def _former_store_walk(dataset, split):  # store/check.py
    if hasattr(dataset, 'pipeline'):
        return [(dataset, split)]
    inner = []
    if getattr(dataset, 'dataset', None) is not None:
        inner += _former_store_walk(dataset.dataset, split)
    for i, sub in enumerate(getattr(dataset, 'datasets', None) or []):
        inner += _former_store_walk(sub, f'{split}.{i}')
    return inner


def _former_label_walk(dataset):  # datasets/label_range.py
    if hasattr(dataset, 'datasets'):
        for inner in dataset.datasets:
            yield from _former_label_walk(inner)
    elif hasattr(dataset, 'dataset') and not hasattr(dataset, 'ann_file'):
        yield from _former_label_walk(dataset.dataset)
    else:
        yield dataset


def _former_rng_walk(dataset):  # engine/hooks/rng_state_hook.py
    yield dataset
    for inner in [getattr(dataset, 'dataset', None)] + list(
            getattr(dataset, 'datasets', None) or []):
        if inner is not None:
            yield from _former_rng_walk(inner)


def _tree():
    a, b, c = _Leaf('a'), _Leaf('b'), _Leaf('c')
    return _repeat(_concat(a, _repeat(b), _concat(c))), (a, b, c)


def test_is_wrapper():
    root, (a, _, _) = _tree()
    assert is_wrapper(root) and is_wrapper(root.dataset)
    assert not is_wrapper(a)
    assert not is_wrapper(types.SimpleNamespace(datasets=[]))


def test_leaves_and_names_as_the_store_check_found_them():
    root, (a, b, c) = _tree()
    assert list(leaf_datasets(root, 'train')) == [(a, 'train.0'),
                                                  (b, 'train.1'),
                                                  (c, 'train.2.0')]
    for dataset in (root, a, _concat(a, b), _repeat(c)):
        assert list(leaf_datasets(dataset, 'val')) == _former_store_walk(
            dataset, 'val')


def test_leaves_as_the_label_check_found_them():
    root, _ = _tree()
    for dataset in (root, root.dataset, _repeat(_Leaf('d'))):
        assert [d for d, _ in leaf_datasets(dataset)] == list(
            _former_label_walk(dataset))


def test_every_dataset_as_the_rng_hook_found_them():
    root, (a, b, c) = _tree()
    walked = [d for d, _ in walk_datasets(root)]
    assert walked == list(_former_rng_walk(root))
    assert len(walked) == 7 and walked[0] is root and walked[-1] is c
