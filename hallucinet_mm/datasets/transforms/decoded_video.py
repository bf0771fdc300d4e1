# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Decoded videos kept in memory, for small datasets read many times."""
from collections import OrderedDict
from typing import Callable, Optional

import numpy as np


class FrameBatch:
    """What decord's ``get_batch`` returns: ``asnumpy()`` gives the array.

    Args:
        frames (np.ndarray): The frames, (N, H, W, 3) uint8.
    """

    def __init__(self, frames: np.ndarray) -> None:
        self.frames = frames

    def asnumpy(self) -> np.ndarray:
        """The frames as a numpy array."""
        return self.frames


class DecodedVideo:
    """A video decoded once, read as decord's ``VideoReader`` is.

    It offers what MMAction2's ``DecordInit`` and ``DecordDecode`` (mode
    ``'accurate'``) use of ``VideoReader``: ``len``, ``get_avg_fps`` and
    ``get_batch``; the frames are those ``get_batch`` of the reader gives.

    Args:
        frames (np.ndarray): Every frame, (T, H, W, 3) uint8.
        fps (float): The video's average frame rate.
    """

    def __init__(self, frames: np.ndarray, fps: float) -> None:
        self.frames = frames
        self.fps = fps
        self.frames.setflags(write=False)  # shared by every later sample

    @classmethod
    def decode(cls, reader) -> 'DecodedVideo':
        """Decodes every frame of a decord ``VideoReader``."""
        frames = reader.get_batch(list(range(len(reader)))).asnumpy()
        return cls(frames, reader.get_avg_fps())

    @property
    def nbytes(self) -> int:
        """int: The memory the frames take."""
        return self.frames.nbytes

    def __len__(self) -> int:
        return len(self.frames)

    def get_avg_fps(self) -> float:
        """The average frame rate of the decoded video."""
        return self.fps

    def get_batch(self, indices) -> FrameBatch:
        """The frames at ``indices`` (a copy: transforms may write them)."""
        indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        if len(indices) and (indices.min() < 0
                             or indices.max() >= len(self.frames)):
            raise IndexError(f'frame indices {indices.tolist()} out of range '
                             f'for a video of {len(self.frames)} frames')
        return FrameBatch(self.frames[indices])


class DecodedVideoCache:
    """Least-recently-used decoded videos of one process, within a budget.

    Args:
        max_bytes (int): The most memory the cached frames may take; a video
            larger than that is decoded each time and not kept.
    """

    def __init__(self, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError(f'cache size must be >= 0 bytes, got {max_bytes}')
        self.max_bytes = max_bytes
        self.nbytes = 0
        self.hits = self.misses = 0
        self._videos: 'OrderedDict[str, DecodedVideo]' = OrderedDict()

    def __len__(self) -> int:
        return len(self._videos)

    def __contains__(self, key: str) -> bool:
        return key in self._videos

    def fits(self, nbytes: int) -> bool:
        """Whether a video of ``nbytes`` can be kept at all."""
        return nbytes <= self.max_bytes

    def get(self, key: str,
            decode: Callable[[], DecodedVideo]) -> DecodedVideo:
        """The cached video of ``key``, else ``decode()`` (kept if it fits).

        Args:
            key (str): The video file.
            decode (callable): Returns the :class:`DecodedVideo` of ``key``.

        Returns:
            DecodedVideo: The video.
        """
        video: Optional[DecodedVideo] = self._videos.get(key)
        if video is not None:
            self.hits += 1
            self._videos.move_to_end(key)
            return video
        self.misses += 1
        video = decode()
        if self.fits(video.nbytes):
            while self.nbytes + video.nbytes > self.max_bytes:
                _, dropped = self._videos.popitem(last=False)
                self.nbytes -= dropped.nbytes
            self._videos[key] = video
            self.nbytes += video.nbytes
        return video
