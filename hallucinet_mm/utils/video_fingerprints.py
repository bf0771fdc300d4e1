# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""What identifies a sample's video: its path and a fingerprint of its bytes.

A fingerprint is the size and sha256 of a video file, or of a frame folder
(the names and bytes of its files, in name order), plus ``head_sha256``: the
sha256 of the first :data:`HEAD_BYTES` bytes (of a folder: of its file names
and sizes), a cheap check that still tells a re-encoded or regenerated video
from the one fingerprinted. The size alone is a ``stat``, so comparisons hash
only files whose sizes could match.
"""
import hashlib
import os
import os.path as osp
from typing import Dict, Iterator, List, Optional, Tuple

from .dataset_wrappers import leaf_datasets

#: Bytes of a video file that ``head_sha256`` covers.
HEAD_BYTES = 1 << 16
#: The data info fields that name a sample's video, in order of precedence.
VIDEO_FIELDS = ('filename', 'frame_dir')


def video_of(info: Dict) -> Optional[str]:
    """The video file or frame folder of a data info, or None."""
    for field in VIDEO_FIELDS:
        if info.get(field) is not None:
            return str(info[field])
    return None


def _files(path: str) -> List[str]:
    if osp.isdir(path):
        return [osp.join(path, n) for n in sorted(os.listdir(path))]
    return [path]


def video_size(path: str) -> int:
    """Bytes of a video file, or of the files of a frame folder."""
    return sum(osp.getsize(f) for f in _files(path))


def video_sha256(path: str) -> str:
    """The sha256 of a video file (or of a frame folder's names and bytes).
    """
    digest = hashlib.sha256()
    folder = osp.isdir(path)
    for name in _files(path):
        if folder:
            digest.update(osp.basename(name).encode() + b'\0')
        with open(name, 'rb') as f:
            for block in iter(lambda: f.read(1 << 20), b''):
                digest.update(block)
    return digest.hexdigest()


def head_sha256(path: str) -> str:
    """The sha256 of a file's first :data:`HEAD_BYTES` bytes (of a frame
    folder: of its file names and sizes)."""
    digest = hashlib.sha256()
    if osp.isdir(path):
        for name in _files(path):
            digest.update(
                f'{osp.basename(name)}\0{osp.getsize(name)}\0'.encode())
    else:
        with open(path, 'rb') as f:
            digest.update(f.read(HEAD_BYTES))
    return digest.hexdigest()


def fingerprint(path: str, full: bool = True) -> Dict:
    """``size``, ``head_sha256`` and (``full``) ``sha256`` of a video file
    or frame folder."""
    out = dict(size=video_size(path), head_sha256=head_sha256(path))
    if full:
        out['sha256'] = video_sha256(path)
    return out


def sample_videos(dataset) -> Iterator[Tuple[str, str, Dict]]:
    """``(video, where, info)`` for every sample of a (wrapped) dataset.

    ``where`` is ``ann_file:line`` (or ``ann_file, sample i``).
    """
    for ds, _ in leaf_datasets(dataset):
        for i in range(len(ds)):
            info = ds.get_data_info(i)
            video = video_of(info)
            if video is None:
                continue
            line = info.get('ann_lineno')
            where = (f'{ds.ann_file}:{line}' if line is not None else
                     f'{ds.ann_file}, sample {i}')
            yield video, where, info
