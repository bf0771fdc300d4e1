# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Reads a teacher-feature store, checking its files and rows."""
import bisect
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..utils.video_fingerprints import fingerprint, video_of
from .format import (KEYS_FILE, MANIFEST_FILE,
                     FeatureStoreMismatchError, NonFiniteFeaturesError,
                     StoreIntegrityError, check_npy_size, check_sha256,
                     key_matches, read_json, sample_key)
from .manifest import compare_specs, mismatch_error, read_manifest

#: Integrity checks a store can be opened with.
VERIFY_MODES = ('size', 'sha256')


class TeacherFeatureStore:
    """A teacher-feature store written by ``extract_teacher_features.py``.

    Opens ``manifest.json`` and ``keys.json`` at once and checks that
    every shard (``shard_00000.npy`` ...: the features, never copied) has
    the size its header and the manifest give (a missing or truncated
    shard is refused here, naming it); ``verify='sha256'`` also hashes
    each shard and ``keys.json`` against the manifest. A shard is
    memory-mapped (read-only) on first access; a pickled store (e.g. sent
    to a dataloader worker) reopens its memmaps in the worker. Every row
    read is checked to be finite.

    Args:
        path (str): The store directory.
        expected (dict, optional): Expected manifest fields, usually
            ``build_store_spec(cfg, split)``; a store that differs in any
            field of :data:`~hallucinet_mm.store.manifest.CHECKED_FIELDS` is
            refused with :class:`FeatureStoreMismatchError`. Defaults to
            None (no check).
        verify (str): ``'size'`` (header, shape, dtype and file size) or
            ``'sha256'`` (also the full sha256 of every shard and of
            ``keys.json``). Defaults to ``'size'``.

    Raises:
        FileNotFoundError: Not a complete store (no manifest), or a
            missing shard or ``keys.json``.
        StoreIntegrityError: A damaged file, naming it (with
            ``verify='sha256'``: also a non-finite row, naming its key).
        FeatureStoreMismatchError: The manifest differs from ``expected``.
    """

    def __init__(self,
                 path: str,
                 expected: Optional[Dict] = None,
                 verify: str = 'size') -> None:
        if verify not in VERIFY_MODES:
            raise ValueError(
                f'verify must be one of {VERIFY_MODES}, got {verify!r}')
        self.path = str(path)
        self.manifest = read_manifest(self.path)
        keys_path = osp.join(self.path, KEYS_FILE)
        keys = read_json(self._existing(keys_path))
        try:
            self.key_field = keys['key_field']
            self.keys = keys['keys']
            self.videos = keys.get('videos')
            self.anchors = np.asarray(
                keys['anchors'], dtype=np.int64).reshape(
                    len(self.keys), self.steps)
        except (KeyError, TypeError, ValueError) as err:
            raise StoreIntegrityError(
                f'{keys_path}: not the keys of this store ({err!r}); the '
                'file is damaged', keys_path)
        if len(self.keys) != self.num_samples:
            raise StoreIntegrityError(
                f'{keys_path} lists {len(self.keys)} samples, '
                f'{osp.join(self.path, MANIFEST_FILE)} {self.num_samples}',
                keys_path)
        self._check_recorded(
            keys_path,
            dict(
                size=self.manifest.get('keys_size'),
                sha256=self.manifest.get('keys_sha256')), verify)
        self._shards = self._shard_table()
        self._maps: Dict[int, np.ndarray] = {}
        self.verify(verify)
        if expected is not None:
            self.check(expected)

    @staticmethod
    def _existing(path: str) -> str:
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{path} is missing from the teacher-feature store; '
                're-extract it with tools/extract_teacher_features.py')
        return path

    # --- properties -------------------------------------------------
    @property
    def num_samples(self) -> int:
        """int: Samples in the store."""
        return int(self.manifest['num_samples'])

    @property
    def steps(self) -> int:
        """int: Teacher clips (steps) per sample."""
        return int(self.manifest['steps'])

    @property
    def feat_dim(self) -> int:
        """int: D."""
        return int(self.manifest['feat_dim'])

    @property
    def features(self) -> np.ndarray:
        """np.ndarray: All (num_samples, steps, D) features, read into
        memory, read-only (for inspection; training reads rows with
        :meth:`get`)."""
        feats = np.concatenate(self.shard_arrays())
        feats.flags.writeable = False
        return feats

    def shard_arrays(self) -> List[np.ndarray]:
        """list[np.memmap]: The shards, memory-mapped read-only."""
        return [self._shard(i) for i in range(len(self._shards))]

    def shard_file(self, index: int) -> str:
        """str: The shard file holding sample ``index``."""
        return self._shards[self._shard_of(index)][0]

    def __len__(self) -> int:
        return self.num_samples

    def __getstate__(self) -> Dict:
        state = self.__dict__.copy()
        state['_maps'] = {}  # a memmap would be pickled as a copy
        return state

    # --- shards -----------------------------------------------------
    def _shard_table(self) -> List[Tuple[str, int, int, Dict]]:
        """``(path, start, stop, record)`` of the manifest's shards, which
        must cover the samples in order."""
        manifest_path = osp.join(self.path, MANIFEST_FILE)
        table, start = [], 0
        for record in self.manifest.get('shards') or []:
            try:
                path = osp.join(self.path, osp.basename(record['file']))
                begin, stop = int(record['start']), int(record['stop'])
            except (KeyError, TypeError, ValueError) as err:
                raise StoreIntegrityError(
                    f'{manifest_path}: a damaged shard record {record!r} '
                    f'({err!r})', manifest_path)
            if begin != start or stop <= begin:
                break
            table.append((path, begin, stop, record))
            start = stop
        if start != self.num_samples:
            raise StoreIntegrityError(
                f'{manifest_path}: its shards cover samples [0, {start}) in '
                f'order, not the {self.num_samples} samples', manifest_path)
        return table

    def _shard_of(self, index: int) -> int:
        return bisect.bisect_right([s[1] for s in self._shards], index) - 1

    def _shard(self, i: int) -> np.ndarray:
        if i not in self._maps:
            self._maps[i] = np.load(self._shards[i][0], mmap_mode='r')
        return self._maps[i]

    # --- checks -----------------------------------------------------
    def _check_recorded(self, path: str, record: Dict, mode: str) -> None:
        """A file against the ``size`` (and, with ``mode='sha256'``,
        ``sha256``) the manifest records for it in ``record``."""
        manifest_path = osp.join(self.path, MANIFEST_FILE)
        size = record.get('size')
        if size is not None and osp.getsize(path) != size:
            raise StoreIntegrityError(
                f'{path}: {osp.getsize(path)} bytes, {manifest_path} records '
                f'{size}: the file was altered or damaged', path)
        if mode == 'sha256':
            check_sha256(path, record.get('sha256'), manifest_path)

    def check_videos(self, dataset, full: bool = False) -> int:
        """Refuses a dataset whose list, prefix or videos are not the
        store's.

        The store records, per row, the sample's key and its video's
        fingerprint (size, sha256 of its first 64 KiB and of all its
        bytes). The dataset's ``data_prefix`` must be the one extracted
        from, its samples must have the stored keys in the stored order,
        and each video the stored size and head hash (``full``: also the
        full sha256).

        Args:
            dataset: The dataset the store's rows are read for (an MMEngine
                ``BaseDataset``).
            full (bool): Hash every video in full. Defaults to False.

        Returns:
            int: The number of videos checked.

        Raises:
            FeatureStoreMismatchError: Naming the store, the dataset's
                annotation file and the first differing samples.
        """
        where = (f'teacher-feature store {self.path!r} and dataset '
                 f'{getattr(dataset, "ann_file", "?")}')
        if self.videos is None:
            raise FeatureStoreMismatchError(
                f'{where}: the store records no video fingerprints (written '
                'by an older extractor); re-extract it')
        prefix = _prefix(getattr(dataset, 'data_prefix', None))
        stored_prefix = _prefix(self.manifest.get('data_prefix'))
        diffs, seen = [], {}
        if prefix != stored_prefix:
            diffs.append(('data_prefix', stored_prefix, prefix))
        if len(dataset) != self.num_samples:
            diffs.append(('num_samples', self.num_samples, len(dataset)))
        for i in range(min(len(dataset), self.num_samples)):
            if len(diffs) >= 5:
                break
            info = dataset.get_data_info(i)
            key = sample_key(info, dataset.data_prefix, i)[1]
            if not key_matches(self.keys[i], key):
                diffs.append((f'sample {i} key', self.keys[i], key))
                continue
            video, stored = video_of(info), self.videos[i]
            if video is None or stored is None:
                continue
            if video not in seen:  # MTL-AQA: many samples share one video
                seen[video] = fingerprint(video, full=full)
            now = seen[video]
            for field in ('size', 'head_sha256', 'sha256'):
                if field in now and now[field] != stored.get(field):
                    diffs.append((f'{video} {field}', stored.get(field),
                                  now[field]))
                    break
        if diffs:
            raise FeatureStoreMismatchError(
                f'{where}: the store was extracted from other videos, '
                'another list or another prefix:\n' + '\n'.join(
                    f'  {f}: store {a!r} != dataset {b!r}'
                    for f, a, b in diffs) + '\nre-extract the store for '
                'these videos (tools/extract_teacher_features.py)', diffs)
        return self.num_samples

    def verify(self, mode: str = 'size') -> None:
        """Checks every shard against its header and the manifest.

        Args:
            mode (str): ``'size'`` or ``'sha256'`` (also each shard's full
                hash, and that every row is finite). Defaults to ``'size'``.

        Raises:
            FileNotFoundError: A missing shard, naming it.
            StoreIntegrityError: Naming the shard and what differs.
        """
        for i, (path, start, stop, record) in enumerate(self._shards):
            check_npy_size(
                self._existing(path), (stop - start, self.steps,
                                       self.feat_dim), self.manifest['dtype'])
            self._check_recorded(path, record, mode)
            if mode == 'sha256':
                finite = np.isfinite(self._shard(i)).reshape(
                    stop - start, -1).all(1)
                if not finite.all():
                    self._refuse_row(start + int(np.argmin(finite)))

    def check(self,
              expected: Dict,
              num_samples: Optional[int] = None) -> None:
        """Refuses a store made with other settings than ``expected``.

        Args:
            expected (dict): Expected manifest fields.
            num_samples (int, optional): The dataset's length, if known.

        Raises:
            FeatureStoreMismatchError: Naming each differing field with the
                store's and the expected value.
        """
        diffs = compare_specs(self.manifest, expected)
        if num_samples is not None and num_samples != self.num_samples:
            diffs.append(('num_samples', self.num_samples, num_samples))
        if diffs:
            raise mismatch_error(
                self.path, self.manifest.get('split'), diffs,
                'extract a new store with tools/extract_teacher_features.py'
                ' or point store_dir to a matching one')

    def get(self,
            index: int,
            anchors: Optional[Sequence[int]] = None,
            key: Optional[str] = None) -> np.ndarray:
        """phi_t of a sample, checked against its anchors and key.

        Args:
            index (int): The dataset index (``sample_idx``).
            anchors (Sequence[int], optional): The sampler's 0-based anchor
                frames; must equal the stored ones.
            key (str, optional): The sample's ``key_field`` value (e.g. its
                ``filename``); must be (a path ending in) the stored key.

        Returns:
            np.ndarray: (steps, D) float32.

        Raises:
            NonFiniteFeaturesError: The stored row is not finite (naming
                the store and the sample's key).
        """
        index = int(index)
        if not 0 <= index < self.num_samples:
            raise IndexError(f'sample {index} is outside the teacher-feature '
                             f'store {self.path!r} ({self.num_samples} '
                             'samples): was it made for another split?')
        stored_key = self.keys[index]
        if key is not None and not key_matches(stored_key, key):
            raise ValueError(
                f'sample {index} is {key!r} but the teacher-feature store '
                f'{self.path!r} holds {stored_key!r} at that index: was it '
                'made for another annotation file or split?')
        if anchors is not None:
            anchors = np.asarray(anchors, dtype=np.int64).reshape(-1)
            if not np.array_equal(anchors, self.anchors[index]):
                raise ValueError(
                    f'sample {index} ({stored_key}): the sampler chose '
                    f'anchor frames {anchors.tolist()} but the teacher-'
                    f'feature store {self.path!r} holds phi_t for '
                    f'{self.anchors[index].tolist()} '
                    f'({self.manifest.get("anchors")}); training from a '
                    'store needs the deterministic sampling it was '
                    "extracted with (e.g. SingleFrameSampler(mode='centre')"
                    ' or test_mode=True)')
        i = self._shard_of(index)
        row = np.array(self._shard(i)[index - self._shards[i][1]],
                       dtype=np.float32)
        if not np.isfinite(row).all():
            self._refuse_row(index)
        return row

    def _refuse_row(self, index: int) -> None:
        i = self._shard_of(index)
        path, start = self._shards[i][:2]
        row = np.asarray(self._shard(i)[index - start])
        raise NonFiniteFeaturesError(
            f'{path}: row {index - start} (sample {index}, '
            f'{self.key_field}={self.keys[index]!r}) holds '
            f'{int(np.isnan(row).sum())} NaN and {int(np.isinf(row).sum())} '
            'Inf values; re-extract the store (the teacher or its checkpoint '
            'gave non-finite features, or the file was altered)', path)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(path={self.path!r}, '
                f'num_samples={self.num_samples}, steps={self.steps}, '
                f'feat_dim={self.feat_dim}, '
                f'dtype={self.manifest.get("dtype")!r})')


def _prefix(data_prefix) -> Dict:
    """A ``data_prefix`` with absolute, normalised paths."""
    return {
        k: osp.normpath(osp.abspath(v))
        for k, v in (data_prefix or {}).items() if v
    }
