# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The videos of a config's data splits, for the deployment tools.

The export check, INT8 calibration (training videos) and its check
(validation or test videos) read the files a config's dataloaders list,
built with the config's own dataset classes (and therefore their checks),
but without their pipelines: nothing is decoded here.
"""
import copy
import os.path as osp
from typing import Dict, List, Optional

SPLITS = ('train', 'val', 'test')


def _without_pipelines(dataset_cfg):
    """A dataset config whose pipelines (wrappers' too) are empty."""
    dataset_cfg = copy.deepcopy(dataset_cfg)
    stack = [dataset_cfg]
    while stack:
        cfg = stack.pop()
        if 'pipeline' in cfg:
            cfg['pipeline'] = []
        if isinstance(cfg.get('dataset'), dict):
            stack.append(cfg['dataset'])
        stack.extend(d for d in cfg.get('datasets', []) if isinstance(d, dict))
    return dataset_cfg


def _is_empty_list(path) -> bool:
    """Whether ``path`` is an existing text file without a non-blank line."""
    if not isinstance(path, str) or not osp.isfile(path):
        return False
    with open(path, 'rb') as f:
        return not any(line.strip() for line in f)


def split_infos(cfg, split: str, limit: Optional[int] = None) -> List[Dict]:
    """The data infos (``filename``, ``label`` ...) of one split, in the
    order of its list.

    Args:
        cfg (Config): The plugin config (paths already overridden).
        split (str): ``'train'``, ``'val'`` or ``'test'``: the config's
            ``{split}_dataloader.dataset``.
        limit (int, optional): At most this many, the first of the list.
            Defaults to None (all).

    Returns:
        list[dict]: One info per sample.

    Raises:
        KeyError: If the split is unknown or the config has no such
            dataloader.
        ValueError: If the split lists no videos.
    """
    from mmengine.registry import init_default_scope

    from mmaction.registry import DATASETS
    if split not in SPLITS:
        raise KeyError(f'unknown split {split!r}; choose from {SPLITS}')
    loader = cfg.get(f'{split}_dataloader')
    if not loader or 'dataset' not in loader:
        raise KeyError(f'config {cfg.filename or "(in memory)"} has no '
                       f'{split}_dataloader.dataset')
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    dataset_cfg = _without_pipelines(loader['dataset'])
    source = dataset_cfg.get('ann_file', dataset_cfg.get('type'))
    empty = ValueError(f'the {split} split of config {cfg.filename} lists '
                       f'no videos ({source})')
    if _is_empty_list(source):
        raise empty  # MMAction2's VideoDataset fails on it inside numpy
    dataset = DATASETS.build(dataset_cfg)
    count = len(dataset) if limit is None else min(limit, len(dataset))
    if count == 0:
        raise empty
    return [dataset.get_data_info(i) for i in range(count)]
