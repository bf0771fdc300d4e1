# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Loads precomputed teacher features (phi_t) from a feature store."""
from typing import Dict, Optional

from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ...store.reader import TeacherFeatureStore


@TRANSFORMS.register_module()
class LoadTeacherFeatures(BaseTransform):
    """Loads precomputed phi_t from a teacher-feature store.

    Put it after the sampler (which gives ``anchor_inds``; use
    ``with_teacher=False`` so only the student frames are decoded) and
    after :class:`SplitStudentTeacher` (whose ``flip`` it checks: a store
    holds unflipped features), and pack ``teacher_feats`` with
    ``PackActionInputs(collect_keys=('imgs', 'teacher_feats'))``. The model's
    ``MultiModalDataPreprocessor`` needs a
    ``teacher_feats=dict(type='ActionDataPreprocessor')`` entry (it stacks
    to (N, steps, D) and does not normalise).

    The store is opened on first use. Its manifest is checked against the
    config by :class:`CheckTeacherFeatureStoreHook` (or here, when
    ``expected`` is given); every sample's anchors and key are checked
    against the stored ones, and every row read must be finite.

    Required Keys:

        - sample_idx (set by MMEngine's ``BaseDataset.get_data_info``)
        - anchor_inds
        - filename / frame_dir / key_str (optional, checked when present)
        - flip (optional, must be False)

    Added Keys:

        - teacher_feats: (steps, D) float32

    Args:
        store_dir (str, optional): The store directory. None: the dataset's
            ``teacher_feature_store`` sets it (``CheckedVideoDataset``,
            ``CheckedRawframeDataset``), so a config changes it with
            ``--cfg-options train_dataloader.dataset.teacher_feature_store=DIR``
            instead of an index into the pipeline. Defaults to None.
        expected (dict, optional): Expected manifest fields
            (``build_store_spec(cfg, split)``), checked when the transform
            is built. Defaults to None.
        check_keys (bool): Check each sample's key against the stored one.
            Defaults to True.
        verify (str): How the store's ``features.npy`` is checked when it
            is opened: ``'size'`` or ``'sha256'`` (the full hash). Defaults
            to ``'size'``.
    """

    def __init__(self,
                 store_dir: Optional[str] = None,
                 expected: Optional[Dict] = None,
                 check_keys: bool = True,
                 verify: str = 'size') -> None:
        self.store_dir = None
        self.expected = None if expected is None else dict(expected)
        self.check_keys = check_keys
        self.verify = verify
        self._store = None
        if store_dir is not None:
            self.set_store_dir(store_dir)

    def set_store_dir(self, store_dir: str) -> None:
        """Points the transform at another store (opened on next use)."""
        self.store_dir = store_dir
        self._store = None
        if self.expected is not None:
            self.store  # noqa: B018  (opens and checks now)

    @property
    def store(self) -> TeacherFeatureStore:
        """TeacherFeatureStore: The store, opened on first access."""
        if self.store_dir is None:
            raise ValueError(
                'LoadTeacherFeatures has no store_dir: give it one, or give '
                'its dataset teacher_feature_store=DIR')
        if self._store is None:
            self._store = TeacherFeatureStore(
                self.store_dir, self.expected, verify=self.verify)
        return self._store

    def check(self, expected: Dict, num_samples: Optional[int] = None) -> None:
        """See :meth:`TeacherFeatureStore.check`."""
        self.store.check(expected, num_samples)

    def transform(self, results: Dict) -> Dict:
        """Adds ``teacher_feats``.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        if results.get('flip', False):
            raise ValueError(
                'LoadTeacherFeatures: the frames were flipped but the '
                f'store {self.store_dir!r} holds phi_t of unflipped clips; '
                'set flip_ratio=0 in SplitStudentTeacher')
        for name in ('sample_idx', 'anchor_inds'):
            if name not in results:
                raise KeyError(
                    f'LoadTeacherFeatures needs results[{name!r}]: put it '
                    'after the student/teacher sampler, in a dataset derived '
                    "from MMEngine's BaseDataset")
        store = self.store
        key = results.get(store.key_field) if self.check_keys else None
        results['teacher_feats'] = store.get(
            results['sample_idx'], anchors=results['anchor_inds'], key=key)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(store_dir={self.store_dir!r}, '
                f'expected={"given" if self.expected else None}, '
                f'check_keys={self.check_keys}, verify={self.verify!r})')
