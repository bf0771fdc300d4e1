# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Helpers of the config tests: the shipped configs, pointed at fixtures."""
import copy
import glob
import json
import os.path as osp
from typing import Iterator, List, Tuple

import torch
from mmengine.config import Config

from hallucinet_mm.datasets.mtl_aqa import MTLAQADataset
from hallucinet_mm.utils.config_utils import load_model_cfg
from mmaction.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_DIR = osp.join(ROOT, 'configs')
#: Every config a user runs (bases excluded), relative to configs/.
CONFIGS = sorted(
    osp.relpath(p, CONFIG_DIR)
    for p in glob.glob(osp.join(CONFIG_DIR, '**', '*.py'), recursive=True)
    if '_base_' not in p)
#: Datasets whose samples carry one class label each.
LABELED_TYPES = ('CheckedVideoDataset', 'VideoDataset',
                 'CheckedRawframeDataset', 'RawframeDataset')
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def load(name: str) -> Config:
    """The config ``configs/<name>``."""
    return Config.fromfile(osp.join(CONFIG_DIR, name))


def datasets_of(cfg: Config) -> Iterator[Tuple[str, dict]]:
    """Yields ``(where, dataset cfg)`` of every dataset of every loader,
    looking inside dataset wrappers (``datasets=[...]``, ``dataset=``)."""

    def walk(where, ds):
        if 'datasets' in ds:
            for i, child in enumerate(ds['datasets']):
                yield from walk(f'{where}.datasets[{i}]', child)
        elif isinstance(ds.get('dataset'), dict):
            yield from walk(f'{where}.dataset', ds['dataset'])
        else:
            yield where, ds

    for loader in LOADERS:
        if cfg.get(loader) is not None:
            yield from walk(f'{loader}.dataset', cfg[loader]['dataset'])


def class_count_mismatches(name: str, cfg: Config) -> List[str]:
    """Where a dataset's classes disagree with the model's head.

    A labeled dataset must carry ``num_classes`` equal to
    ``model.cls_head.num_classes`` (the dataset then checks every label
    against it); an MTL-AQA dataset must leave ``num_classes`` out, and the
    dive head's fields and class counts must be those of
    ``MTLAQADataset.METAINFO``. Unlabeled datasets carry no classes.
    """
    head = cfg.model.get('cls_head') or {}
    problems = []
    for where, ds in datasets_of(cfg):
        at = f'configs/{name}: {where} ({ds["type"]})'
        if ds['type'] in LABELED_TYPES:
            if ds.get('num_classes') != head.get('num_classes'):
                problems.append(
                    f'{at}: num_classes={ds.get("num_classes")}, '
                    f'model.cls_head.num_classes={head.get("num_classes")}')
        elif ds['type'] == 'MTLAQADataset':
            meta = dict(
                zip(MTLAQADataset.METAINFO['dive_fields'],
                    MTLAQADataset.METAINFO['dive_num_classes']))
            fields = head.get('fields')
            fields = meta if fields is None else fields
            if ds.get('num_classes') is not None or any(
                    meta.get(k) != n for k, n in fields.items()):
                problems.append(
                    f'{at}: num_classes={ds.get("num_classes")}, '
                    f'head fields {dict(fields)} vs METAINFO {meta}')
        elif ds['type'] != 'UnlabeledVideoDataset':
            problems.append(f'{at}: unknown dataset type')
    return problems


def point_at_fixtures(ds: dict, videos: dict, mtl_aqa: dict,
                      unlabeled_ann: str) -> None:
    """Points one dataset cfg (and any it wraps) at the fixture data."""
    if 'datasets' in ds:
        for child in ds['datasets']:
            point_at_fixtures(child, videos, mtl_aqa, unlabeled_ann)
    elif isinstance(ds.get('dataset'), dict):  # RepeatDataset ...
        point_at_fixtures(ds['dataset'], videos, mtl_aqa, unlabeled_ann)
    elif ds['type'] in LABELED_TYPES + ('UnlabeledVideoDataset', ):
        split = 'val' if ds.get('test_mode') else 'train'
        ds['ann_file'] = videos[f'{split}_ann']
        if ds['type'] == 'UnlabeledVideoDataset':
            ds['ann_file'] = unlabeled_ann
        ds['data_prefix'] = dict(video=videos['video_dir'])
    elif ds['type'] == 'MTLAQADataset':
        ds['data_root'] = mtl_aqa['data_root']
    else:
        raise AssertionError(f'no fixture for dataset type {ds["type"]}')


def no_downloads(model_cfg: dict) -> None:
    """Switches off pretrained student weights (no downloads in tests)."""
    backbone = model_cfg.get('backbone')
    if backbone is None:
        return
    if str(backbone.get('type', '')).startswith('torchvision.'):
        backbone['weights'] = None
    if 'pretrained' in backbone:
        backbone['pretrained'] = None
    backbone.pop('init_cfg', None)


class TeacherCheckpoints:
    """Writes one checkpoint per teacher architecture (cached), so the
    teachers load strictly (no ``allow_random_init``)."""

    def __init__(self, root: str) -> None:
        self.root, self.cache = root, {}

    def __call__(self, teacher_cfg: dict) -> str:
        model_cfg = load_model_cfg(teacher_cfg['model'])
        key = json.dumps(model_cfg, sort_keys=True, default=str)
        if key not in self.cache:
            torch.manual_seed(0)
            state = MODELS.build(copy.deepcopy(model_cfg)).state_dict()
            path = osp.join(self.root, f'teacher_{len(self.cache)}.pth')
            torch.save({'state_dict': state}, path)
            self.cache[key] = path
        return self.cache[key]


def load_pointed(name: str, videos: dict, mtl_aqa: dict, unlabeled_ann: str,
                 teacher_ckpts: TeacherCheckpoints) -> Config:
    """``configs/<name>`` with its data, student weights and teacher
    checkpoint pointed at the fixtures."""
    cfg = load(name)
    no_downloads(cfg.model)
    if cfg.model.get('teacher'):
        cfg.model.teacher.checkpoint = teacher_ckpts(cfg.model.teacher)
    for loader in LOADERS:
        if cfg.get(loader) is not None:
            point_at_fixtures(cfg[loader].dataset, videos, mtl_aqa,
                              unlabeled_ann)
    return cfg
