# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Write predictions onto images and videos with OpenCV."""
import os
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np


def prediction_lines(top: Sequence[Dict]) -> List[str]:
    """``label: score`` text lines of :func:`~.inference.top_k` results."""
    return [f'{p["label"]}: {p["score"]:.3f}' for p in top]


def annotate(frame_rgb: np.ndarray, lines: Sequence[str]) -> np.ndarray:
    """A BGR copy of an RGB frame with text lines at its top left.

    Args:
        frame_rgb (np.ndarray): (H, W, 3) uint8, RGB.
        lines (Sequence[str]): The text, one line each.

    Returns:
        np.ndarray: (H, W, 3) uint8, BGR (for ``cv2.imwrite``).
    """
    import cv2
    frame = cv2.cvtColor(np.ascontiguousarray(frame_rgb), cv2.COLOR_RGB2BGR)
    scale = max(frame.shape[0] / 480.0, 0.35)
    step = int(round(22 * scale)) + 2
    for row, text in enumerate(lines):
        origin = (4, step * (row + 1))
        cv2.putText(frame, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(frame, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (255, 255, 255), 1, cv2.LINE_AA)
    return frame


def _make_dirs(out_file: str) -> None:
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)


def write_image(out_file: str, frame_rgb: np.ndarray,
                lines: Sequence[str]) -> str:
    """Writes an annotated image; returns ``out_file``.

    Raises:
        OSError: If OpenCV cannot write it (e.g. an unknown extension).
    """
    import cv2
    _make_dirs(out_file)
    if not cv2.imwrite(out_file, annotate(frame_rgb, lines)):
        raise OSError(f'OpenCV could not write the image {out_file}')
    return out_file


class VideoWriter:
    """Writes annotated RGB frames to a video file (``mp4v``).

    Args:
        out_file (str): The video file (``.mp4``, ``.avi`` ...).
        fps (float): Frame rate.
    """

    def __init__(self, out_file: str, fps: float) -> None:
        self.out_file = out_file
        self.fps = fps
        self._writer = None

    def write(self, frame_rgb: np.ndarray, lines: Sequence[str]) -> None:
        """Appends one frame with its text."""
        import cv2
        frame = annotate(frame_rgb, lines)
        if self._writer is None:
            _make_dirs(self.out_file)
            height, width = frame.shape[:2]
            self._writer = cv2.VideoWriter(self.out_file,
                                           cv2.VideoWriter_fourcc(*'mp4v'),
                                           self.fps, (width, height))
            if not self._writer.isOpened():
                raise OSError(
                    f'OpenCV could not open {self.out_file} for writing')
        self._writer.write(frame)

    def close(self) -> str:
        """Finishes the file; returns its path."""
        if self._writer is not None:
            self._writer.release()
        return self.out_file

    def __enter__(self) -> 'VideoWriter':
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_video(out_file: str, video_file: str,
                lines: Sequence[str]) -> str:
    """Copies a video with the same text on every frame; returns the path.

    All frames are decoded here, for the output only (the prediction
    decoded just the sampled ones).
    """
    from .sources import iter_stream, open_stream, stream_fps
    capture = open_stream(video_file)
    try:
        with VideoWriter(out_file, stream_fps(capture)) as writer:
            for frame in iter_stream(capture):
                writer.write(frame, lines)
    finally:
        capture.release()
    return out_file
