"""Small builders of bad input for tests/reliability/test_bad_input_*.py."""
import hashlib
import os.path as osp

import numpy as np

from tools.data.video_files import write_video


def tiny_video(path, num_frames=24, width=32, height=32, seed=0):
    """Writes a random mp4 of ``num_frames`` frames and returns its path."""
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 256, (num_frames, height, width, 3),
                          dtype=np.uint8)
    return write_video(str(path), frames)


def write_lines(path, lines):
    """Writes ``lines`` (one per line) and returns the path as a str."""
    with open(path, 'w') as f:
        f.writelines(line + '\n' for line in lines)
    return str(path)


def digest(path):
    """sha256 of a file, to show that a failed load left it untouched."""
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def zero_middle(path):
    """Overwrites the middle third of a file with zero bytes."""
    with open(path, 'rb') as f:
        data = bytearray(f.read())
    third = len(data) // 3
    data[third:2 * third] = bytes(third)
    with open(path, 'wb') as f:
        f.write(bytes(data))
    return str(path)


def truncate(path, keep=0.5):
    """Keeps the first ``keep`` fraction of a file's bytes."""
    size = osp.getsize(path)
    with open(path, 'r+b') as f:
        f.truncate(int(size * keep))
    return str(path)
