# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The on-disk format of a teacher-feature store, and its file helpers.

A store is one directory::

    DIR/manifest.json     what made the features (see spec.build_store_spec),
                          written last: its presence marks a complete store
    DIR/shard_00000.npy   the features, (n, steps, D) per shard of the
    DIR/shard_00000.json  extraction (resumable, memory-mappable), each with
                          a .json holding its range, size and sha256
    DIR/keys.json         per dataset index: the sample's key, anchors and
                          video fingerprint
    DIR/extraction.json   the settings of the extraction

The manifest records every shard (range, size, sha256) and the size and
sha256 of ``keys.json`` (``keys_size``, ``keys_sha256``). Format 2 keeps no
second copy of the features (format 1 copied the shards into one
``features.npy``).
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from mmengine.config import ConfigDict

STORE_FORMAT = 'hallucinet_mm.teacher_feature_store'
STORE_FORMAT_VERSION = 2
MANIFEST_FILE = 'manifest.json'
KEYS_FILE = 'keys.json'
RUN_FILE = 'extraction.json'
DTYPES = ('float32', 'float16')

_SHA256_CACHE: Dict[Tuple[str, int, int], str] = {}


class FeatureStoreMismatchError(ValueError):
    """A teacher-feature store made with other settings than expected.

    Attributes:
        differences (list[tuple[str, object, object]]): ``(field, store
            value, expected value)`` for each differing (sub)field.
    """

    def __init__(self, message: str,
                 differences: Sequence[Tuple[str, object, object]] = ()):
        super().__init__(message)
        self.differences = list(differences)


class StoreIntegrityError(ValueError):
    """A store file that is truncated, altered or holds non-finite values.

    Attributes:
        path (str): The damaged file.
    """

    def __init__(self, message: str, path: str = '') -> None:
        super().__init__(message)
        self.path = path


class NonFiniteFeaturesError(StoreIntegrityError):
    """Teacher features with NaN or Inf values, refused by the extractor
    and the reader."""


def to_jsonable(obj):
    """A JSON-serialisable copy: tuples to lists, numpy to Python, classes
    and functions to their dotted names.

    Args:
        obj: A config value.

    Returns:
        The JSON-serialisable value.
    """
    if isinstance(obj, (dict, ConfigDict)):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    if isinstance(obj, type) or callable(obj):
        return f'{obj.__module__}.{obj.__qualname__}'
    return repr(obj)


def file_sha256(path: str, cached: bool = True) -> str:
    """The sha256 hex digest of a file.

    Args:
        path (str): A local file.
        cached (bool): Reuse the digest of a file with the same path, size
            and mtime hashed before in this process. Defaults to True.

    Returns:
        str: The hex digest.
    """
    stat = os.stat(path)
    cache_key = (osp.abspath(path), stat.st_size, stat.st_mtime_ns)
    if not cached or cache_key not in _SHA256_CACHE:
        digest = hashlib.sha256()
        with open(path, 'rb') as f:
            for block in iter(lambda: f.read(1 << 20), b''):
                digest.update(block)
        _SHA256_CACHE[cache_key] = digest.hexdigest()
    return _SHA256_CACHE[cache_key]


def read_json(path: str):
    """A JSON file's content; a damaged file raises naming its path.

    Args:
        path (str): The file.

    Returns:
        The decoded JSON value.

    Raises:
        StoreIntegrityError: The file is not valid JSON.
    """
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise StoreIntegrityError(
            f'{path}: not valid JSON ({err}); the file is damaged', path)


def write_json_atomic(path: str, obj) -> None:
    """Writes JSON to a temporary file, then renames it to ``path``."""
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_npy_atomic(path: str, array: np.ndarray) -> None:
    """Writes an ``.npy`` to a temporary file, then renames it to ``path``.
    """
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'wb') as f:  # a file object: np.save adds no suffix
        np.save(f, array)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def shard_path(out_dir: str, index: int, ext: str = 'npy') -> str:
    """``DIR/shard_00000.npy`` (or ``.json``)."""
    return osp.join(out_dir, f'shard_{index:05d}.{ext}')


def npy_expected_size(path: str) -> Tuple[int, Tuple[int, ...], np.dtype]:
    """The size an ``.npy`` file must have, from its header.

    Args:
        path (str): The file.

    Returns:
        tuple: ``(bytes, shape, dtype)``.

    Raises:
        StoreIntegrityError: The header is unreadable.
    """
    try:
        with open(path, 'rb') as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(f)
            offset = f.tell()
    except ValueError as err:
        raise StoreIntegrityError(
            f'{path}: not a readable .npy file ({err})', path)
    return offset + int(np.prod(shape)) * dtype.itemsize, shape, dtype


def check_npy_size(path: str, shape: Optional[Sequence[int]] = None,
                   dtype: Optional[str] = None) -> None:
    """Refuses a truncated or overlong ``.npy``, or one of another shape.

    Args:
        path (str): The file.
        shape (Sequence[int], optional): The expected shape.
        dtype (str, optional): The expected dtype.

    Raises:
        StoreIntegrityError: Naming the file, its size and the expected
            one.
    """
    expected, got_shape, got_dtype = npy_expected_size(path)
    size = osp.getsize(path)
    if size != expected:
        raise StoreIntegrityError(
            f'{path}: {size} bytes, but its header ({got_shape} '
            f'{got_dtype}) needs {expected}: the file is truncated or '
            'damaged; delete the store (or this file and manifest.json) and '
            'rerun tools/extract_teacher_features.py', path)
    if (shape is not None and tuple(got_shape) != tuple(shape)) or (
            dtype is not None and str(got_dtype) != str(dtype)):
        raise StoreIntegrityError(
            f'{path} holds {tuple(got_shape)} {got_dtype}, the manifest '
            f'says {tuple(shape or got_shape)} {dtype or got_dtype}', path)


def check_sha256(path: str, expected: Optional[str], what: str) -> None:
    """Refuses a file whose sha256 differs from the recorded one.

    Args:
        path (str): The file.
        expected (str, optional): The recorded hex digest.
        what (str): Where it is recorded, for the message.

    Raises:
        StoreIntegrityError: No digest recorded, or another digest.
    """
    if not expected:
        raise StoreIntegrityError(
            f'{path}: {what} records no sha256 to verify it against (a '
            'store written by an older extractor); re-extract it', path)
    actual = file_sha256(path, cached=False)
    if actual != expected:
        raise StoreIntegrityError(
            f'{path}: sha256 {actual} differs from {expected} recorded in '
            f'{what}: the file was altered or damaged after extraction',
            path)


def key_matches(stored: str, actual) -> bool:
    """Whether a sample's key is (a path ending in) the stored key."""
    actual = str(actual).replace('\\', '/')
    stored = str(stored).replace('\\', '/')
    return actual == stored or actual.endswith('/' + stored)


def sample_key(info: Dict, data_prefix: Optional[Dict] = None,
               index: Optional[int] = None) -> Tuple[str, str]:
    """The field and value that identify a sample in a store.

    ``key_str`` (MTL-AQA), else ``filename`` (video) or ``frame_dir``
    (rawframes) relative to the dataset's ``data_prefix``, else the index.

    Args:
        info (dict): The sample's data info.
        data_prefix (dict, optional): The dataset's ``data_prefix``.
        index (int, optional): The dataset index.

    Returns:
        tuple[str, str]: The key field and the key.
    """
    if 'key_str' in info:
        return 'key_str', str(info['key_str'])
    data_prefix = data_prefix or {}
    for field, prefix_key in (('filename', 'video'), ('frame_dir', 'img')):
        if field in info:
            value = str(info[field])
            prefix = data_prefix.get(prefix_key)
            if prefix and value.startswith(str(prefix)):
                value = osp.relpath(value, str(prefix))
            return field, value.replace('\\', '/')
    return 'sample_idx', str(info.get('sample_idx', index))
