# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for hallucinet_mm/datasets/transforms/image_reader.py."""
import cv2
import numpy as np
import pytest

import hallucinet_mm  # noqa: F401
from hallucinet_mm.datasets.transforms.checked_loading import (
    CheckedDecordInit, VideoReadError)
from hallucinet_mm.datasets.transforms.image_reader import ImageReader


def test_image_reader_is_a_one_frame_video(tmp_path):
    path = str(tmp_path / 'frame.png')
    cv2.imwrite(path, np.full((6, 8, 3), (10, 20, 30), np.uint8))  # BGR
    reader = ImageReader(path)
    assert len(reader) == 1
    batch = reader.get_batch([0, 0]).asnumpy()
    assert batch.shape == (2, 6, 8, 3) and batch[0, 0, 0].tolist() == [
        30, 20, 10
    ]  # RGB, as decord gives
    with pytest.raises(IndexError, match='frame.png is an image'):
        reader.get_batch([1])
    results = CheckedDecordInit().transform(dict(filename=path))
    assert results['total_frames'] == 1
    with pytest.raises(VideoReadError, match='missing.jpg'):
        CheckedDecordInit().transform(
            dict(filename=str(tmp_path / 'missing.jpg')))
