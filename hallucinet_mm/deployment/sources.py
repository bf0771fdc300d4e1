# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Inputs of the demo: label maps, images, image folders and streams.

Images are read by :mod:`hallucinet_mm.datasets.transforms.image_reader`.
"""
import os
import os.path as osp
from typing import Iterator, List, Optional, Union

import numpy as np

from ..datasets.list_checks import read_name_list
from ..datasets.transforms.image_reader import IMAGE_EXTENSIONS, is_image


def load_label_map(path: str,
                   num_classes: Optional[int] = None) -> List[str]:
    """Class names, one per line (MMAction2's label map format), checked.

    Args:
        path (str): The text file.
        num_classes (int, optional): The model's class count; the map must
            name exactly that many classes. Defaults to None (not checked).

    Returns:
        list[str]: The names, in class-index order.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it holds no names, a blank line between names, a
            name twice, another count than ``num_classes``, or is not
            UTF-8 (:func:`~hallucinet_mm.datasets.list_checks.
            read_name_list`; the message names the file and line).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'label map {path} does not exist')
    return read_name_list(path, num_classes)


def image_folder_files(folder: str) -> List[str]:
    """The images of a folder, sorted by name (the frames of one clip).

    Raises:
        ValueError: If the folder holds no image.
    """
    files = sorted(
        osp.join(folder, name) for name in os.listdir(folder)
        if is_image(name))
    if not files:
        raise ValueError(f'folder {folder} holds no image '
                         f'({", ".join(IMAGE_EXTENSIONS)})')
    return files


def open_stream(source: Union[int, str]):
    """Opens a camera (an index such as ``0``) or a stream URL/file.

    Returns:
        cv2.VideoCapture: The opened capture.

    Raises:
        OSError: If OpenCV cannot open it.
    """
    import cv2
    if isinstance(source, str) and source.isdigit():
        source = int(source)
    capture = cv2.VideoCapture(source)
    if not capture.isOpened():
        raise OSError(f'OpenCV cannot open the camera or stream {source!r}')
    return capture


def iter_stream(capture,
                max_frames: Optional[int] = None) -> Iterator[np.ndarray]:
    """Yields RGB frames from an opened capture until it ends.

    Args:
        capture (cv2.VideoCapture): From :func:`open_stream`.
        max_frames (int, optional): Stop after this many frames. Defaults
            to None (until the stream ends).
    """
    import cv2
    count = 0
    while max_frames is None or count < max_frames:
        ok, frame = capture.read()
        if not ok:
            return
        count += 1
        yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


def stream_fps(capture, default: float = 25.0) -> float:
    """The capture's frame rate, or ``default`` when it reports none."""
    import cv2
    fps = capture.get(cv2.CAP_PROP_FPS)
    return float(fps) if fps and fps > 0 and np.isfinite(fps) else default
