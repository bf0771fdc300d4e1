# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The teacher-feature store: precomputed phi_t of a split, and its checks.

Training with an online 3D teacher pays the teacher's forward every step of
every epoch. With deterministic sampling (the centre frame of UCF-101 /
HMDB-51, or the dive sampler in test mode) phi_t of a sample never changes,
so :func:`extract_teacher_features` (``tools/extract_teacher_features.py``)
computes it once per split and writes a store;
:class:`~hallucinet_mm.datasets.transforms.LoadTeacherFeatures` reads it in
the pipeline, and
:class:`~hallucinet_mm.engine.hooks.CheckTeacherFeatureStoreHook` checks it
against the config before the first step.

Modules, each with one job, imported in this order (no cycle):
``format`` (files, errors, hashes) <- ``manifest`` (manifest check) <-
``reader`` (:class:`TeacherFeatureStore`) <- ``spec`` (what a config
expects) <- ``check`` (a built dataset's stores) and
``shards`` + ``writer`` (the extraction).
"""
from .check import check_dataset_stores
from .format import (FeatureStoreMismatchError, NonFiniteFeaturesError,
                     StoreIntegrityError)
from .manifest import CHECKED_FIELDS, compare_specs
from .reader import TeacherFeatureStore
from .spec import build_store_spec, extraction_pipeline
from .writer import extract_teacher_features

__all__ = [
    'CHECKED_FIELDS', 'FeatureStoreMismatchError',
    'NonFiniteFeaturesError', 'StoreIntegrityError', 'TeacherFeatureStore',
    'build_store_spec', 'check_dataset_stores', 'compare_specs',
    'extract_teacher_features', 'extraction_pipeline'
]
