# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The manifest check: a store's manifest against what a config expects."""
import os.path as osp
import warnings
from typing import Dict, List, Tuple

from .format import (MANIFEST_FILE, STORE_FORMAT, STORE_FORMAT_VERSION,
                     FeatureStoreMismatchError, StoreIntegrityError,
                     read_json, to_jsonable)

#: Manifest fields that determine phi_t: a store whose value differs from
#: the config's is refused. ``checkpoint_sha256`` falls back to comparing
#: ``checkpoint`` paths when the config's checkpoint is not a local file.
CHECKED_FIELDS = ('teacher', 'checkpoint_sha256', 'tap', 'pool', 'feat_dim',
                  'sampler', 'clip_len', 'frame_interval', 'anchors',
                  'steps', 'teacher_pipeline', 'teacher_norm')
#: Manifest fields the reader needs.
REQUIRED_FIELDS = ('num_samples', 'steps', 'feat_dim', 'dtype')


def read_manifest(store_dir: str) -> Dict:
    """Reads and validates ``DIR/manifest.json``.

    Args:
        store_dir (str): The store directory.

    Returns:
        dict: The manifest.

    Raises:
        FileNotFoundError: No manifest (not a complete store).
        StoreIntegrityError: A damaged manifest, another format or a
            missing field, naming the manifest's path.
    """
    path = osp.join(store_dir, MANIFEST_FILE)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{store_dir!r} is not a complete teacher-feature store (no '
            f'{MANIFEST_FILE}); write it with tools/'
            'extract_teacher_features.py CONFIG --out DIR')
    manifest = read_json(path)
    if not isinstance(manifest, dict) or \
            manifest.get('format') != STORE_FORMAT or \
            manifest.get('format_version') != STORE_FORMAT_VERSION:
        older = (' (an older store, which copied its shards into '
                 'features.npy: re-extract it)' if isinstance(manifest, dict)
                 and manifest.get('format_version') == 1 else '')
        raise StoreIntegrityError(
            f'{path}: not a version {STORE_FORMAT_VERSION} {STORE_FORMAT} '
            f'manifest{older}', path)
    missing = [f for f in REQUIRED_FIELDS if f not in manifest]
    if missing:
        raise StoreIntegrityError(f'{path}: no field(s) {missing}', path)
    return manifest


def _diff(path: str, stored, expected, out: List) -> None:
    if isinstance(stored, dict) and isinstance(expected, dict):
        for key in sorted(set(stored) | set(expected)):
            _diff(f'{path}.{key}', stored.get(key, '<absent>'),
                  expected.get(key, '<absent>'), out)
    elif (isinstance(stored, list) and isinstance(expected, list)
          and len(stored) == len(expected)
          and any(isinstance(v, (dict, list)) for v in stored)):
        for i, (a, b) in enumerate(zip(stored, expected)):
            _diff(f'{path}[{i}]', a, b, out)
    elif stored != expected:
        out.append((path, stored, expected))


def compare_specs(stored: Dict, expected: Dict) -> List[Tuple]:
    """The differences of a manifest from an expected spec.

    Fields of :data:`CHECKED_FIELDS` that ``expected`` lacks or sets to
    None are not compared. Without an expected checkpoint hash (the
    config's checkpoint is not a local file) the checkpoint paths are
    compared instead, with a warning.

    Args:
        stored (dict): The store's manifest.
        expected (dict): E.g. :func:`build_store_spec`'s result.

    Returns:
        list[tuple[str, object, object]]: ``(field, store value, expected
        value)`` per differing (sub)field.
    """
    out = []
    for field in CHECKED_FIELDS:
        want = expected.get(field)
        if field == 'checkpoint_sha256' and want is None and \
                expected.get('checkpoint') is not None:
            warnings.warn(
                f'cannot hash the teacher checkpoint '
                f'{expected["checkpoint"]!r} (not a local file): the '
                'feature store is checked by checkpoint path only')
            _diff('checkpoint', stored.get('checkpoint'),
                  expected['checkpoint'], out)
            continue
        if want is None:
            continue
        _diff(field, to_jsonable(stored.get(field)), to_jsonable(want), out)
    return out


def _short(value, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + '...'


def mismatch_error(store_dir: str, split, diffs: List[Tuple],
                   hint: str) -> FeatureStoreMismatchError:
    """The error for a store that differs from the expected spec.

    Args:
        store_dir (str): The store directory.
        split (str | None): The store's split.
        diffs (list[tuple]): :func:`compare_specs`'s result.
        hint (str): What to do about it.

    Returns:
        FeatureStoreMismatchError: Naming the store's manifest and each
        differing field with the store's and the expected value.
    """
    lines = [
        f'  {field}: store {_short(a)} != expected {_short(b)}'
        for field, a, b in diffs
    ]
    return FeatureStoreMismatchError(
        f'teacher-feature store {store_dir!r} (split {split!r}, '
        f'{osp.join(store_dir, MANIFEST_FILE)}) does not match the config:\n'
        + '\n'.join(lines) + '\n' + hint, diffs)
