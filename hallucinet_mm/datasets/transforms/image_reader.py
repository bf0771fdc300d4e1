# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Still images read as one-frame videos (for ``CheckedDecordInit``)."""
import os.path as osp

import numpy as np

from .decoded_video import FrameBatch

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif',
                    '.tiff')


def is_image(path: str) -> bool:
    """Whether a path names an image file (by its extension)."""
    return path.lower().endswith(IMAGE_EXTENSIONS)


def read_image(path: str) -> np.ndarray:
    """Reads an image as an RGB uint8 array (H, W, 3).

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If OpenCV cannot decode it.
    """
    import cv2
    if not osp.isfile(path):
        raise FileNotFoundError(f'image {path} does not exist')
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f'{path}: OpenCV cannot decode this image')
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class ImageReader:
    """A still image as a one-frame video.

    It offers what MMAction2's ``DecordInit`` and ``DecordDecode`` use of
    decord's ``VideoReader`` (``len``, ``get_avg_fps``, ``get_batch``), so
    a video test pipeline reads an image unchanged (``CheckedDecordInit``
    opens image files with it, e.g. for ``inference_recognizer(model,
    'frame.jpg')``).

    Args:
        filename (str): The image file.
    """

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.frame = read_image(filename)

    def __len__(self) -> int:
        return 1

    def get_avg_fps(self) -> float:
        """No frame rate: 0."""
        return 0.0

    def get_batch(self, indices) -> FrameBatch:
        """The image once per index (every index must be 0)."""
        indices = [int(i) for i in np.asarray(indices).reshape(-1)]
        if any(i != 0 for i in indices):
            raise IndexError(f'{self.filename} is an image (one frame); '
                             f'frames {indices} were asked for')
        return FrameBatch(np.stack([self.frame] * len(indices)))
