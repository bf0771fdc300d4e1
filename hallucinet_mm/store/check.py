# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Checks the stores a built dataset reads against the config."""
from typing import List, Tuple

from mmengine.config import Config

from .loading import LoadTeacherFeatures
from .spec import build_store_spec


def _datasets(dataset, split: str) -> List[Tuple[object, str]]:
    """The datasets that hold pipelines, through dataset wrappers, with
    their split names (``'train.1'`` in a ``ConcatDataset``)."""
    if hasattr(dataset, 'pipeline'):
        return [(dataset, split)]
    inner = []
    if getattr(dataset, 'dataset', None) is not None:
        inner += _datasets(dataset.dataset, split)
    for i, sub in enumerate(getattr(dataset, 'datasets', None) or []):
        inner += _datasets(sub, f'{split}.{i}')
    return inner


def check_dataset_stores(cfg: Config,
                         split: str,
                         dataset,
                         verify: str = 'size') -> int:
    """Checks every :class:`LoadTeacherFeatures` of a built dataset.

    Each store is opened (its files checked, see
    :meth:`TeacherFeatureStore.verify`), its manifest compared with
    ``build_store_spec(cfg, split)`` and its length with the dataset's.

    Args:
        cfg (Config): The full config.
        split (str): The dataset's split (its ``{split}_dataloader``).
        dataset: The built dataset (wrappers allowed).
        verify (str): ``'size'`` or ``'sha256'`` (also hash
            ``features.npy`` in full). Defaults to ``'size'``.

    Returns:
        int: The number of stores checked.

    Raises:
        FeatureStoreMismatchError: For a store that does not match.
        StoreIntegrityError: For a damaged store file, naming it.
    """
    checked = 0
    for ds, ds_split in _datasets(dataset, split):
        transforms = getattr(ds.pipeline, 'transforms', [])
        spec = None
        for t in transforms:
            if isinstance(t, LoadTeacherFeatures):
                if spec is None:
                    spec = build_store_spec(cfg, ds_split)
                if verify != 'size':
                    t.store.verify(verify)
                t.check(spec, num_samples=len(ds))
                checked += 1
    return checked
