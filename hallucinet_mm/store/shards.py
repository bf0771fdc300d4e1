# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The extraction's shards, and their assembly into a store.

Each shard (``shard_00000.npy``) is written atomically, then its ``.json``
(range, shape, size, sha256, keys, anchors), so a shard is complete when
both exist and agree. Rank 0 waits for the other ranks' shards (with a
timeout naming the missing ones), then assembly writes ``keys.json``
(with every sample's video fingerprint) and, last, ``manifest.json`` (with
the size and sha256 of ``keys.json`` and of every shard). The shards are
the store's features: nothing is copied, and the reader checks each shard
it maps.
"""
import datetime
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Tuple

import numpy as np

from .format import (KEYS_FILE, MANIFEST_FILE, RUN_FILE, STORE_FORMAT,
                     STORE_FORMAT_VERSION, NonFiniteFeaturesError,
                     StoreIntegrityError, file_sha256, read_json, shard_path,
                     write_json_atomic, write_npy_atomic)
from .manifest import CHECKED_FIELDS


def shard_bounds(num_samples: int, shard_size: int) -> List[Tuple[int, int]]:
    """``[(start, stop), ...]`` of the shards of ``num_samples`` samples."""
    num_shards = (num_samples + shard_size - 1) // shard_size
    return [(i * shard_size, min((i + 1) * shard_size, num_samples))
            for i in range(num_shards)]


def shard_complete(out_dir: str,
                   index: int,
                   start: int,
                   stop: int,
                   steps: Optional[int] = None,
                   verify: str = 'size') -> bool:
    """Whether shard ``index`` was written completely and is intact.

    A shard is complete when its ``.npy`` and ``.json`` exist, the json
    covers ``[start, stop)`` and the npy has the recorded size (and, with
    ``verify='sha256'``, the recorded sha256 and finite values only).

    Args:
        out_dir (str): The store directory.
        index (int): The shard's index.
        start (int): Its first sample.
        stop (int): One past its last sample.
        steps (int, optional): The expected steps per sample.
        verify (str): ``'size'`` or ``'sha256'``. Defaults to ``'size'``.

    Returns:
        bool: Complete and intact.
    """
    meta_path = shard_path(out_dir, index, 'json')
    npy = shard_path(out_dir, index)
    if not (osp.isfile(meta_path) and osp.isfile(npy)):
        return False
    try:
        meta = read_json(meta_path)
    except StoreIntegrityError:
        return False
    if not (isinstance(meta, dict) and meta.get('start') == start
            and meta.get('stop') == stop
            and osp.getsize(npy) == meta.get('size')
            and (steps is None or meta['shape'][1] == steps)):
        return False
    if verify != 'sha256':
        return True
    return file_sha256(npy, cached=False) == meta.get('sha256') and bool(
        np.isfinite(np.load(npy, mmap_mode='r')).all())


def write_shard(out_dir: str,
                index: int,
                start: int,
                feats: np.ndarray,
                keys: List[str],
                key_field: str,
                anchors: List[List[int]],
                videos: Optional[List[Optional[Dict]]] = None) -> None:
    """Writes shard ``index`` (npy, then json), each atomically.

    Args:
        out_dir (str): The store directory.
        index (int): The shard's index.
        start (int): Its first sample.
        feats (np.ndarray): (n, steps, D) features, finite.
        keys (list[str]): The samples' keys.
        key_field (str): What the keys are (``filename`` ...).
        anchors (list[list[int]]): The samples' anchor frames.
        videos (list[dict], optional): The samples' video fingerprints
            (``utils.video_fingerprints.fingerprint``). Defaults to None.
    """
    path = shard_path(out_dir, index)
    if not np.isfinite(feats).all():  # the writer refuses them first
        raise NonFiniteFeaturesError(
            f'{path}: refusing to write non-finite features', path)
    write_npy_atomic(path, feats)
    write_json_atomic(
        shard_path(out_dir, index, 'json'),
        dict(
            index=index,
            start=start,
            stop=start + len(feats),
            shape=list(feats.shape),
            dtype=str(feats.dtype),
            size=osp.getsize(path),
            sha256=file_sha256(path),
            key_field=key_field,
            keys=keys,
            anchors=anchors,
            videos=videos))


def wait_for_shards(out_dir: str,
                    bounds: List[Tuple[int, int]],
                    wait_s: float,
                    timeout_s: float,
                    world_size: int = 1,
                    progress: bool = False) -> None:
    """Waits until every shard is complete, or refuses to wait for ever.

    Args:
        out_dir (str): The store directory.
        bounds (list[tuple[int, int]]): :func:`shard_bounds`.
        wait_s (float): Polling interval.
        timeout_s (float): Longest wait without a new complete shard.
        world_size (int): Ranks (shard ``i`` is rank ``i % world_size``'s),
            for the message. Defaults to 1.
        progress (bool): Print that it waits. Defaults to False.

    Raises:
        TimeoutError: Naming the missing shards and their ranks.
    """
    def missing() -> List[int]:
        return [
            i for i, (a, b) in enumerate(bounds)
            if not shard_complete(out_dir, i, a, b)
        ]

    todo = missing()
    last_change = time.monotonic()
    if todo and progress:
        print('rank 0: waiting for the other ranks\' shards', flush=True)
    while todo:
        if time.monotonic() - last_change > timeout_s:
            shown = ', '.join(
                f'{osp.basename(shard_path(out_dir, i))} (rank '
                f'{i % world_size})' for i in todo[:8])
            more = f' ... ({len(todo)} in all)' if len(todo) > 8 else ''
            raise TimeoutError(
                f'{out_dir}: no shard was completed for {timeout_s:g} s; '
                f'missing: {shown}{more}. A rank died or hangs: rerun the '
                'extraction (complete shards are kept)')
        time.sleep(wait_s)
        now = missing()
        if len(now) < len(todo):
            last_change = time.monotonic()
        todo = now


def assemble(out_dir: str,
             run: Dict,
             shard_size: int,
             wait_s: float,
             progress: bool,
             timeout_s: float = 1800.0,
             world_size: int = 1) -> Dict:
    """Waits for all shards, then writes keys and manifest.

    Args:
        out_dir (str): The store directory.
        run (dict): The extraction's settings (manifest fields).
        shard_size (int): Samples per shard.
        wait_s (float): Polling interval while other ranks write shards.
        progress (bool): Print that it waits.
        timeout_s (float): See :func:`wait_for_shards`. Defaults to 1800.
        world_size (int): Ranks of the extraction. Defaults to 1.

    Returns:
        dict: The manifest.

    Raises:
        TimeoutError: Shards still missing after ``timeout_s``.
    """
    num_samples = run['num_samples']
    bounds = shard_bounds(num_samples, shard_size)
    wait_for_shards(out_dir, bounds, wait_s, timeout_s, world_size, progress)
    metas = [
        read_json(shard_path(out_dir, i, 'json')) for i in range(len(bounds))
    ]
    steps, dim = metas[0]['shape'][1:]
    for i, meta in enumerate(metas):
        if meta['shape'][1:] != [steps, dim] or meta['dtype'] != run['dtype']:
            raise StoreIntegrityError(
                f'{shard_path(out_dir, i, "json")}: {meta["shape"]} '
                f'{meta["dtype"]}, the first shard {metas[0]["shape"]} '
                f'{run["dtype"]}; delete the shard and rerun', out_dir)
    keys, anchors, videos = [], [], []
    for meta in metas:
        keys += meta['keys']
        anchors += meta['anchors']
        videos += meta.get('videos') or [None] * len(meta['keys'])
    keys_path = osp.join(out_dir, KEYS_FILE)
    write_json_atomic(
        keys_path,
        dict(
            key_field=metas[0]['key_field'],
            keys=keys,
            anchors=anchors,
            videos=videos))
    # The shards are the features (no second copy): the reader maps them
    # and checks each against the size and sha256 recorded here.
    manifest = dict(
        run,
        format=STORE_FORMAT,
        format_version=STORE_FORMAT_VERSION,
        steps=steps,
        feat_dim=dim,
        keys_file=KEYS_FILE,
        keys_size=osp.getsize(keys_path),
        keys_sha256=file_sha256(keys_path, cached=False),
        key_field=metas[0]['key_field'],
        num_shards=len(bounds),
        shards=[
            dict(
                file=osp.basename(shard_path(out_dir, i)),
                start=m['start'],
                stop=m['stop'],
                sha256=m['sha256'],
                size=m['size']) for i, m in enumerate(metas)
        ],
        created=datetime.datetime.now(datetime.timezone.utc).isoformat(),
        checked_fields=list(CHECKED_FIELDS))
    write_json_atomic(osp.join(out_dir, MANIFEST_FILE), manifest)
    # Leftovers of interrupted writes (every shard is complete now).
    for name in os.listdir(out_dir):
        if '.tmp' in name and name.startswith(
                ('shard_', KEYS_FILE, MANIFEST_FILE, RUN_FILE)):
            os.remove(osp.join(out_dir, name))
    return manifest
