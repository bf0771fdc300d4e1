"""Video files: mp4 written and read back, size probes, corrupt files."""
import os.path as osp

import cv2
import decord
import numpy as np
import pytest

from tools.synthetic_demo.render import render_clip
from tools.data.video_files import (check_decodable, read_video,
                                             write_corrupt_video,
                                             write_rawframes, write_video)


def test_write_video_round_trip(tmp_path):
    yy, xx = np.mgrid[0:32, 0:40]
    frames = []
    for t in range(5):
        frame = np.stack([60 + 2 * xx, 60 + 2 * yy, np.full_like(xx, 120)],
                         axis=-1)
        frame[8:20, 4 + 4 * t:16 + 4 * t] = (220, 40, 40)
        frames.append(frame)
    frames = np.clip(np.stack(frames), 0, 255).astype(np.uint8)
    path = write_video(str(tmp_path / 'sub' / 'five.mp4'), frames, fps=10)
    reader = decord.VideoReader(path, num_threads=1)
    assert len(reader) == 5
    decoded = reader.get_batch(list(range(5))).asnumpy()
    assert decoded.shape == frames.shape
    err = np.abs(decoded.astype(int) - frames.astype(int))
    assert err.mean() < 5
    # The moving red square is where it was written (RGB order kept).
    assert decoded[4, 14, 24, 0] > 150 and decoded[4, 14, 24, 1] < 110


def test_write_video_rejects_bad_input(tmp_path):
    path = str(tmp_path / 'x.mp4')
    with pytest.raises(ValueError, match='even'):
        write_video(path, np.zeros((3, 31, 32, 3), np.uint8))
    with pytest.raises(ValueError, match='uint8'):
        write_video(path, np.zeros((3, 32, 32, 3), np.float32))
    with pytest.raises(ValueError, match='shape'):
        write_video(path, np.zeros((32, 32, 3), np.uint8))
    with pytest.raises(ValueError, match='at least one'):
        write_video(path, np.zeros((0, 32, 32, 3), np.uint8))


def test_write_video_verify(tmp_path):
    frames, _ = render_clip(1, 6, rng=np.random.default_rng(0))
    path = write_video(str(tmp_path / 'ok.mp4'), frames, verify=True)
    assert read_video(path).shape == frames.shape


def test_write_corrupt_video(tmp_path):
    path = write_corrupt_video(str(tmp_path / 'bad' / 'corrupt.mp4'))
    assert osp.getsize(path) > 0
    with pytest.raises(RuntimeError):
        decord.VideoReader(path, num_threads=1)
    assert not cv2.VideoCapture(path).isOpened()


def test_write_rawframes_numbers_frames_from_one(tmp_path):
    frames = np.full((3, 8, 10, 3), (200, 20, 20), np.uint8)
    write_rawframes(str(tmp_path / 'clip'), frames)
    assert sorted(p.name for p in (tmp_path / 'clip').iterdir()) == [
        'img_00001.jpg', 'img_00002.jpg', 'img_00003.jpg'
    ]
    bgr = cv2.imread(str(tmp_path / 'clip' / 'img_00002.jpg'))
    assert bgr.shape == (8, 10, 3) and bgr[4, 5, 2] > 150  # red stays red


def test_check_decodable_passes_a_safe_size_and_names_a_bad_width(tmp_path):
    check_decodable(32, 32)
    path = write_video(str(tmp_path / 'w48.mp4'),
                       np.full((2, 32, 48, 3), 100, np.uint8))
    if decord.VideoReader(path, num_threads=1)[0].shape == (32, 48, 3):
        pytest.skip('this decord reads width 48 correctly')
    with pytest.raises(ValueError, match='width=48'):
        check_decodable(32, 48)


def test_write_corrupt_video_checks_its_size(tmp_path):
    with pytest.raises(ValueError, match='num_bytes must be an int >= 16'):
        write_corrupt_video(str(tmp_path / 'x.mp4'), num_bytes=8)
