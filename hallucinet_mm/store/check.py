# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Checks the stores a built dataset reads against the config."""
from mmengine.config import Config

from mmaction.registry import TRANSFORMS
from ..utils.dataset_wrappers import leaf_datasets
from .spec import build_store_spec


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
    # Looked up by its registered name: the transform lives in the datasets,
    # a layer above the store (see hallucinet_mm/__init__.py).
    loader_type = TRANSFORMS.get('LoadTeacherFeatures')
    checked = 0
    for ds, ds_split in leaf_datasets(dataset, split):
        transforms = getattr(getattr(ds, 'pipeline', None), 'transforms', [])
        spec = None
        for t in transforms:
            if isinstance(t, loader_type):
                if spec is None:
                    spec = build_store_spec(cfg, ds_split)
                if verify != 'size':
                    t.store.verify(verify)
                t.check(spec, num_samples=len(ds))
                checked += 1
    return checked
