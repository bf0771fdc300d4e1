# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Video files for tests and generated data: write, read back, damage.

``write_video`` writes RGB frames as mp4 (``mp4v``) and can check that
decord reads them back; ``check_decodable`` probes a frame size (decord
0.6.0 misreads a few widths); ``write_rawframes`` writes MMAction2's
``img_00001.jpg`` folders; ``write_corrupt_video`` writes a file that looks
like an mp4 and is not one.
"""
import importlib.util
import os
import os.path as osp
import tempfile

import cv2
import numpy as np

#: Largest mean absolute error accepted by ``write_video(verify=True)``.
VERIFY_MAX_MAE = 20.0

def write_video(path, frames, fps=25, verify=False):
    """Writes RGB frames to an mp4 file (MPEG-4 Part 2, fourcc ``mp4v``).

    Note:
        decord 0.6.0 misreads frames of a few widths (8, 12, 16, 24, 48 and
        72 px among the even widths up to 700): it returns 4 channels for a
        single frame and ``get_batch`` raises ``DECORDError``. The file
        itself is fine (OpenCV reads it); use ``verify=True`` or another
        width when the video is meant for decord.

    Args:
        path (str): Output file; parent directories are created.
        frames (np.ndarray): uint8 RGB frames of shape (T, H, W, 3), T >= 1,
            H and W even (the codec silently crops odd sizes).
        fps (float): Frame rate stored in the container.
        verify (bool): Read the file back with decord and check the frame
            count, the frame shape and that the pixels are close (mean
            absolute error below ``VERIFY_MAX_MAE``) to ``frames``.

    Returns:
        str: ``path``.

    Raises:
        ValueError: If ``frames`` or ``fps`` is invalid.
        RuntimeError: If OpenCV cannot open a writer or writes nothing, or
            ``verify`` fails.
    """
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise ValueError('frames must have shape (T, H, W, 3), got '
                         f'{frames.shape}')
    if frames.dtype != np.uint8:
        raise ValueError(f'frames must be uint8, got {frames.dtype}')
    num_frames, height, width = frames.shape[:3]
    if num_frames < 1:
        raise ValueError('frames must contain at least one frame')
    if height % 2 or width % 2:
        raise ValueError('frames must have even height and width for mp4v, '
                         f'got {height}x{width}')
    if not fps > 0:
        raise ValueError(f'fps must be > 0, got {fps}')
    parent = osp.dirname(osp.abspath(path))
    os.makedirs(parent, exist_ok=True)
    writer = cv2.VideoWriter(path, cv2.CAP_FFMPEG,
                             cv2.VideoWriter_fourcc(*'mp4v'), float(fps),
                             (width, height))
    if not writer.isOpened():
        raise RuntimeError(f'cv2.VideoWriter could not open {path!r}')
    try:
        for frame in frames:
            writer.write(np.ascontiguousarray(frame[..., ::-1]))
    finally:
        writer.release()
    if not osp.isfile(path) or osp.getsize(path) == 0:
        raise RuntimeError(f'cv2.VideoWriter wrote nothing to {path!r}')
    if verify:
        _check_read_back(path, frames)
    return path


def _check_read_back(path, frames):
    """Checks that decord decodes ``path`` back to about ``frames``."""
    try:
        decoded = read_video(path)
    except Exception as err:  # decord raises DECORDError (a RuntimeError)
        raise RuntimeError(f'decord cannot decode {path!r} written with '
                           f'shape {frames.shape}: {err}') from err
    if decoded.shape != frames.shape:
        raise RuntimeError(f'decord decodes {path!r} as {decoded.shape}, '
                           f'but {frames.shape} was written')
    mae = np.abs(decoded.astype(np.float32) - frames).mean()
    if mae > VERIFY_MAX_MAE:
        raise RuntimeError(f'decoded {path!r} differs from the written '
                           f'frames by {mae:.1f} (mean absolute error)')


def check_decodable(height, width):
    """Checks that decord reads back an mp4 of this frame size correctly.

    Args:
        height (int): Frame height.
        width (int): Frame width.

    Raises:
        ValueError: Naming ``width`` (the affected dimension) if decord
            misreads the size (see :func:`write_video`); a no-op when decord
            is not installed.
    """
    if importlib.util.find_spec('decord') is None:
        return
    yy, xx = np.mgrid[0:height, 0:width]
    frame = np.stack([64 + 96 * xx / width, 64 + 96 * yy / height,
                      np.full(xx.shape, 128.0)], axis=-1).astype(np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            write_video(osp.join(tmp, 'probe.mp4'), np.stack([frame] * 2),
                        verify=True)
        except RuntimeError as err:
            raise ValueError(
                f'width={width} (with height={height}) is not read back '
                'correctly by decord, choose another width (decord 0.6.0 '
                f'misreads widths 8, 12, 16, 24, 48 and 72): {err}') from err


def write_corrupt_video(path, num_bytes=2048, seed=0):
    """Writes a file with an .mp4-like name whose bytes are not a video.

    It starts like an mp4 ``ftyp`` box (so it looks plausible) and continues
    with random bytes; decoders (decord, OpenCV) fail to open it.

    Args:
        path (str): Output file; parent directories are created.
        num_bytes (int): Total size of the file.
        seed (int): Seed for the random bytes.

    Returns:
        str: ``path``.
    """
    if isinstance(num_bytes, bool) or not isinstance(num_bytes, int) \
            or num_bytes < 16:
        raise ValueError(f'num_bytes must be an int >= 16, got {num_bytes!r}')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    header = b'\x00\x00\x00\x18ftypisom'
    body = np.random.default_rng(seed).integers(
        0, 256, size=num_bytes - len(header), dtype=np.uint8).tobytes()
    with open(path, 'wb') as f:
        f.write(header + body)
    return path


def read_video(path):
    """Decodes all frames of a video with decord.

    Args:
        path (str): Video file.

    Returns:
        np.ndarray: uint8 RGB frames of shape (T, H, W, 3).
    """
    import decord
    reader = decord.VideoReader(path, num_threads=1)
    return reader.get_batch(list(range(len(reader)))).asnumpy()


def write_rawframes(frame_dir, frames):
    """Writes frames as img_00001.jpg, ... (1-based) into ``frame_dir``."""
    os.makedirs(frame_dir, exist_ok=True)
    for i, frame in enumerate(frames, start=1):
        fname = osp.join(frame_dir, f'img_{i:05d}.jpg')
        ok = cv2.imwrite(fname, np.ascontiguousarray(frame[..., ::-1]),
                         [cv2.IMWRITE_JPEG_QUALITY, 95])
        if not ok:
            raise RuntimeError(f'cv2.imwrite failed for {fname!r}')
