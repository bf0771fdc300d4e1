"""Generates a tiny synthetic video dataset for the HalluciNet demo.

HalluciNet trains a 2D-CNN that sees **one** frame to classify an action and,
as an auxiliary task, to *hallucinate* the features that a 3D-CNN computes from
the 16 frames starting at that frame. The method only shows its value when
the future motion matters and a single frame is ambiguous. This generator
makes data with exactly that property, small enough for CPU-only tests and
demos.

Content of every clip (``T`` frames of ``H x W`` RGB):

* **Background.** A smooth, per-video random texture (a sum of a few random
  sinusoids whose frequencies are whole cycles per frame, so it tiles on a
  torus) on a random dark, low-saturation base colour. It drifts slowly
  (below 0.1 px/frame) in a random direction, and i.i.d. Gaussian pixel noise
  is added to every frame. The drift is independent of the class, so it is a
  nuisance motion that the 3D teacher has to ignore.
* **Object.** One anti-aliased bar (a capsule) with random length (35-50 %
  of the shorter side), random orientation, random start position and a
  random saturated colour (uniform hue).
* **Class = motion type.** The bar moves with a constant velocity over the
  whole clip: translate right / left / up / down, rotate clockwise /
  counter-clockwise about its own centre, and (for more than 6 classes) the
  four diagonal translations. Translations wrap around the frame edges (the
  frame is a torus), so the position in any frame is uniform and carries no
  cue; orientation is uniform too. Speeds are drawn per video: 2.5-5 % of the
  shorter side per frame for translations (13-26 px over 16 frames at 32 px)
  and 5-10 degrees per frame for rotations (80-160 degrees over 16 frames).
  Because the motion is uniform over the whole clip, every frame index
  ``0..T-1`` is a valid start for a 16-frame window and every window shows
  the motion of its class.
* **Weak static cue.** The object's HSV brightness is drawn per video from
  ``U(0.55, 0.85)`` and shifted by a class-dependent offset
  ``static_cue * (label / (K - 1) - 0.5)``. With ``static_cue`` below the
  0.3 width of the random brightness range, the classes' brightness
  distributions overlap, and even a perfect single-frame observer reaches at
  most about ``(1 + static_cue / 0.3) / K`` accuracy from this cue (0.25 for
  the defaults ``K=6``, ``static_cue=0.15``; chance is 0.167).
  ``static_cue=0`` removes it. Everything else in a single frame is
  class-independent, so a 3D-CNN that sees the motion can be nearly perfect
  while a 2D-CNN on one frame is only slightly better than chance.

Frame sides must be even (the codec silently crops odd sizes), and a few
widths (8, 12, 16, 24, 48, 72) are rejected because decord 0.6.0 misreads
them (it reports 4 channels); the generator probes this before writing.

One caveat: the MPEG-4 Part 2 (``mp4v``) encoder uses motion-compensated
prediction, so the compression artefacts of a single decoded frame depend
weakly on the motion; this is a tiny, hard-to-use leak and is ignored here.

Files written under ``out_dir``::

    classes.txt         one class name per line; line i is label i
    train.txt, val.txt  VideoDataset lists: "train/move_right_0000.mp4 0"
    videos/{train,val}/<class>_<idx>.mp4
    # only with rawframes=True / --rawframes:
    rawframes/{train,val}/<class>_<idx>/img_00001.jpg ...
    train_rawframes.txt, val_rawframes.txt
                        RawframeDataset lists: "train/move_right_0000 40 0"

Use it in a config with ``ann_file=ROOT/train.txt`` and
``data_prefix=dict(video=ROOT/videos)`` (VideoDataset) or
``ann_file=ROOT/train_rawframes.txt``,
``data_prefix=dict(img=ROOT/rawframes)``,
``filename_tmpl='img_{:05}.jpg'``, ``start_index=1`` (RawframeDataset).
Annotation lines are ordered by video index and then by class, so the first
``K`` lines of a list already cover all classes (handy for ``indices=...``
subsets in smoke tests).

Everything is deterministic given ``seed``: a clip's random stream depends
only on ``(seed, split, label, index)``, so annotation files are byte-identical
and the decoded frames are identical across runs. Rawframe JPEGs are written
from the rendered frames (not from the decoded mp4), so the two variants show
the same content with different compression artefacts.

Example::

    python tools/data/make_synthetic_videos.py --out data/synthetic --rawframes
"""
import argparse
import colorsys
import importlib.util
import os
import os.path as osp
import tempfile
import time

import cv2
import numpy as np

#: Motion classes, in label order. Translations are (vx, vy) unit directions
#: in image coordinates (x to the right, y downwards); rotations are the sign
#: of the angular velocity (positive = clockwise on screen).
MOTIONS = (
    ('move_right', 'translate', (1.0, 0.0)),
    ('move_left', 'translate', (-1.0, 0.0)),
    ('move_up', 'translate', (0.0, -1.0)),
    ('move_down', 'translate', (0.0, 1.0)),
    ('rotate_cw', 'rotate', 1.0),
    ('rotate_ccw', 'rotate', -1.0),
    ('move_up_right', 'translate', (0.5**0.5, -0.5**0.5)),
    ('move_up_left', 'translate', (-0.5**0.5, -0.5**0.5)),
    ('move_down_right', 'translate', (0.5**0.5, 0.5**0.5)),
    ('move_down_left', 'translate', (-0.5**0.5, 0.5**0.5)),
)

#: The largest ``num_classes`` supported.
MAX_CLASSES = len(MOTIONS)

#: Translation speed range, as a fraction of the shorter side per frame.
TRANSLATE_SPEED = (0.025, 0.05)
#: Rotation speed range, in degrees per frame.
ROTATE_SPEED = (5.0, 10.0)
#: Range of the object's random HSV brightness (before the static cue).
VALUE_RANGE = (0.55, 0.85)
#: Standard deviation of the per-frame pixel noise (0-255 scale).
NOISE_STD = 4.0
#: Largest mean absolute error accepted by ``write_video(verify=True)``.
VERIFY_MAX_MAE = 20.0
#: The smallest supported frame side, in pixels.
MIN_SIDE = 8

_SPLIT_IDS = {'train': 0, 'val': 1}


def class_names(num_classes=6):
    """Returns the class names for ``num_classes`` motion classes.

    Args:
        num_classes (int): Number of classes, 1 to ``MAX_CLASSES``.

    Returns:
        list[str]: Class names; index i is label i.

    Raises:
        ValueError: If ``num_classes`` is out of range.
    """
    _check_int('num_classes', num_classes, 1, MAX_CLASSES)
    return [m[0] for m in MOTIONS[:num_classes]]


def _check_int(name, value, low, high=None):
    """Raises ValueError naming ``name`` unless ``low <= value <= high``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f'{name} must be an int, got {value!r}')
    if value < low or (high is not None and value > high):
        bound = f'>= {low}' if high is None else f'in [{low}, {high}]'
        extra = ''
        if name == 'num_classes' and high is not None and value > high:
            extra = (f' (this generator supports at most {high} distinct '
                     'motion classes)')
        raise ValueError(f'{name} must be {bound}, got {value}{extra}')


def _check_side(name, value):
    """Checks a frame side: an even int >= MIN_SIDE (mp4v needs even)."""
    _check_int(name, value, MIN_SIDE)
    if value % 2:
        raise ValueError(f'{name} must be even (the mp4v codec silently '
                         f'crops odd sizes), got {value}')


def _background(rng, num_frames, height, width):
    """Renders the drifting, textured background (float32, 0-255 scale).

    Returns:
        np.ndarray: Array of shape (T, H, W, 3).
    """
    t = np.arange(num_frames, dtype=np.float64)[:, None]
    ys = np.arange(height, dtype=np.float64)[None]
    xs = np.arange(width, dtype=np.float64)
    drift_dir = rng.uniform(0, 2 * np.pi)
    drift_speed = rng.uniform(0.0, 0.1)
    dx = drift_speed * np.cos(drift_dir)
    dy = drift_speed * np.sin(drift_dir)
    base = rng.uniform(40.0, 90.0) + rng.uniform(-10.0, 10.0, size=3)
    bg = np.empty((num_frames, height, width, 3), np.float32)
    num_comp = 6
    for c in range(3):
        freqs = rng.integers(-6, 7, size=(num_comp, 2))
        freqs[(freqs == 0).all(axis=1)] = (1, 1)
        amps = rng.uniform(3.0, 8.0, size=num_comp)
        phases = rng.uniform(0, 2 * np.pi, size=num_comp)
        # sum_k amp_k * cos(2 pi (fx_k (x - dx t) / W + fy_k (y - dy t) / H)
        # + phase_k), split with cos(a + b) = cos a cos b - sin a sin b into
        # a (T, H) part and a (W,) part; plain broadcasting, no BLAS (whose
        # threads are slow on small, busy machines).
        tex = np.zeros((num_frames, height, width), np.float32)
        for (fx, fy), amp, phase in zip(freqs, amps, phases):
            a = (2 * np.pi * (fy * ys / height -
                              (fx * dx / width + fy * dy / height) * t) +
                 phase)  # (T, H)
            b = 2 * np.pi * fx * xs / width  # (W,)
            cos_a = (amp * np.cos(a)).astype(np.float32)[:, :, None]
            sin_a = (amp * np.sin(a)).astype(np.float32)[:, :, None]
            tex += cos_a * np.cos(b).astype(np.float32)
            tex -= sin_a * np.sin(b).astype(np.float32)
        bg[..., c] = base[c] + tex
    return bg


def render_clip(label,
                num_frames=40,
                height=32,
                width=32,
                rng=None,
                static_cue=0.15,
                num_classes=6):
    """Renders one synthetic clip of the given motion class.

    Args:
        label (int): Class label, ``0 <= label < num_classes``.
        num_frames (int): Number of frames T.
        height (int): Frame height H.
        width (int): Frame width W.
        rng (np.random.Generator | int | None): Random source or seed.
        static_cue (float): Strength of the class-dependent brightness shift
            (see the module docstring); 0 disables it.
        num_classes (int): Number of classes K (scales the static cue).

    Returns:
        tuple[np.ndarray, dict]: RGB uint8 frames of shape (T, H, W, 3) and a
        dict of the clip's parameters: ``label``, ``class_name``,
        ``centers`` (T, 2) as (x, y) in pixels, ``angles`` (T,) in radians
        (clockwise on screen is positive), ``velocity`` (vx, vy) px/frame,
        ``angular_velocity`` rad/frame, ``length``, ``thickness``,
        ``color`` (RGB, 0-255) and ``value`` (HSV brightness incl. cue).
    """
    _check_int('num_classes', num_classes, 1, MAX_CLASSES)
    _check_int('label', label, 0, num_classes - 1)
    _check_int('num_frames', num_frames, 1)
    _check_int('height', height, MIN_SIDE)
    _check_int('width', width, MIN_SIDE)
    if not 0.0 <= float(static_cue) <= 1.0:
        raise ValueError(f'static_cue must be in [0, 1], got {static_cue}')
    rng = np.random.default_rng(rng)
    side = min(height, width)
    name, kind, param = MOTIONS[label]

    bg = _background(rng, num_frames, height, width)

    # Object: shape, colour, start pose and motion.
    length = rng.uniform(0.35, 0.5) * side
    thickness = max(2.0, 0.08 * side)
    hue = rng.uniform(0.0, 1.0)
    sat = rng.uniform(0.6, 1.0)
    value = rng.uniform(*VALUE_RANGE)
    if num_classes > 1:
        value += static_cue * (label / (num_classes - 1) - 0.5)
    value = float(np.clip(value, 0.2, 1.0))
    color = np.array(colorsys.hsv_to_rgb(hue, sat, value), np.float32) * 255
    center0 = np.array([rng.uniform(0, width), rng.uniform(0, height)])
    angle0 = rng.uniform(0, np.pi)
    if kind == 'translate':
        speed = rng.uniform(*TRANSLATE_SPEED) * side
        velocity = np.array(param) * speed
        omega = 0.0
    else:
        velocity = np.zeros(2)
        omega = param * np.deg2rad(rng.uniform(*ROTATE_SPEED))

    t = np.arange(num_frames, dtype=np.float64)
    centers = center0[None] + t[:, None] * velocity[None]
    centers[:, 0] %= width
    centers[:, 1] %= height
    angles = angle0 + omega * t

    # Anti-aliased capsule, with offsets wrapped on the torus.
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    cx = centers[:, 0, None, None].astype(np.float32)
    cy = centers[:, 1, None, None].astype(np.float32)
    ox = (xx[None] - cx + width / 2) % width - width / 2
    oy = (yy[None] - cy + height / 2) % height - height / 2
    cos = np.cos(angles).astype(np.float32)[:, None, None]
    sin = np.sin(angles).astype(np.float32)[:, None, None]
    along = np.abs(ox * cos + oy * sin)
    across = -ox * sin + oy * cos
    dist = np.sqrt(np.maximum(along - length / 2, 0)**2 + across**2)
    alpha = np.clip(thickness / 2 + 0.5 - dist, 0.0, 1.0)[..., None]

    frames = bg * (1 - alpha) + color * alpha
    frames += NOISE_STD * rng.standard_normal(frames.shape, dtype=np.float32)
    frames = np.clip(np.rint(frames), 0, 255).astype(np.uint8)
    meta = dict(
        label=int(label),
        class_name=name,
        centers=centers,
        angles=angles,
        velocity=tuple(float(v) for v in velocity),
        angular_velocity=float(omega),
        length=float(length),
        thickness=float(thickness),
        color=tuple(float(c) for c in color),
        value=value)
    return frames, meta


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
        _verify_video(path, frames)
    return path


def _verify_video(path, frames):
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
    _check_int('num_bytes', num_bytes, 16)
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


def _write_rawframes(frame_dir, frames):
    """Writes frames as img_00001.jpg, ... (1-based) into ``frame_dir``."""
    os.makedirs(frame_dir, exist_ok=True)
    for i, frame in enumerate(frames, start=1):
        fname = osp.join(frame_dir, f'img_{i:05d}.jpg')
        ok = cv2.imwrite(fname, np.ascontiguousarray(frame[..., ::-1]),
                         [cv2.IMWRITE_JPEG_QUALITY, 95])
        if not ok:
            raise RuntimeError(f'cv2.imwrite failed for {fname!r}')


def _write_lines(path, lines):
    """Writes lines with '\\n' endings (byte-identical across platforms)."""
    with open(path, 'w', newline='\n') as f:
        f.write(''.join(line + '\n' for line in lines))


def make_synthetic_dataset(out_dir,
                           num_classes=6,
                           videos_per_class_train=20,
                           videos_per_class_val=10,
                           num_frames=40,
                           height=32,
                           width=32,
                           seed=0,
                           fps=25,
                           static_cue=0.15,
                           rawframes=False):
    """Writes the synthetic motion dataset described in the module docstring.

    Existing files with the same names are overwritten; other files in
    ``out_dir`` are left alone. Before anything is written, a probe video
    checks that decord reads this frame size back (see
    :func:`write_video`); the first video of each split is read back and
    compared as well.

    Args:
        out_dir (str): Dataset root ``ROOT``.
        num_classes (int): Number of motion classes, 1 to ``MAX_CLASSES``.
        videos_per_class_train (int): Training videos per class (>= 1).
        videos_per_class_val (int): Validation videos per class (>= 1).
        num_frames (int): Frames per video (>= 1).
        height (int): Frame height, even and >= 8.
        width (int): Frame width, even and >= 8.
        seed (int): Non-negative random seed.
        fps (float): Frame rate stored in the mp4 files.
        static_cue (float): Strength of the weak single-frame class cue in
            [0, 1]; 0 disables it.
        rawframes (bool): Also write JPEG frame folders and RawframeDataset
            annotation files.

    Returns:
        dict: ``root``, ``video_dir``, ``train_ann``, ``val_ann``,
        ``classes_file``, ``rawframe_dir``, ``train_rawframes_ann``,
        ``val_rawframes_ann`` (the last three None unless ``rawframes``),
        ``classes`` (list of names), ``num_classes``, ``num_train``,
        ``num_val``, ``num_frames``, ``height``, ``width``.

    Raises:
        ValueError: If an argument is out of range, or decord cannot read
            videos of this width back; the message names the argument.
        RuntimeError: If writing a video fails, or (when decord is
            installed) the first video of a split does not decode back to
            what was written.
    """
    _check_int('num_classes', num_classes, 1, MAX_CLASSES)
    _check_int('videos_per_class_train', videos_per_class_train, 1)
    _check_int('videos_per_class_val', videos_per_class_val, 1)
    _check_int('num_frames', num_frames, 1)
    _check_side('height', height)
    _check_side('width', width)
    _check_int('seed', seed, 0)
    if not fps > 0:
        raise ValueError(f'fps must be > 0, got {fps}')
    if not 0.0 <= float(static_cue) <= 1.0:
        raise ValueError(f'static_cue must be in [0, 1], got {static_cue}')
    check_decodable(height, width)
    have_decord = importlib.util.find_spec('decord') is not None

    root = osp.abspath(out_dir)
    video_dir = osp.join(root, 'videos')
    frame_root = osp.join(root, 'rawframes') if rawframes else None
    names = class_names(num_classes)
    os.makedirs(root, exist_ok=True)
    classes_file = osp.join(root, 'classes.txt')
    _write_lines(classes_file, names)

    result = dict(
        root=root,
        video_dir=video_dir,
        classes_file=classes_file,
        rawframe_dir=frame_root,
        train_rawframes_ann=None,
        val_rawframes_ann=None,
        classes=names,
        num_classes=num_classes,
        num_frames=num_frames,
        height=height,
        width=width)
    per_class = dict(train=videos_per_class_train, val=videos_per_class_val)
    for split, count in per_class.items():
        video_lines, frame_lines = [], []
        for idx in range(count):
            for label, name in enumerate(names):
                rng = np.random.default_rng(
                    [seed, _SPLIT_IDS[split], label, idx])
                frames, _ = render_clip(label, num_frames, height, width, rng,
                                        static_cue, num_classes)
                rel = f'{split}/{name}_{idx:04d}'
                write_video(
                    osp.join(video_dir, rel + '.mp4'),
                    frames,
                    fps,
                    verify=have_decord and idx == 0 and label == 0)
                video_lines.append(f'{rel}.mp4 {label}')
                if rawframes:
                    _write_rawframes(osp.join(frame_root, rel), frames)
                    frame_lines.append(f'{rel} {num_frames} {label}')
        ann = osp.join(root, f'{split}.txt')
        _write_lines(ann, video_lines)
        result[f'{split}_ann'] = ann
        result[f'num_{split}'] = len(video_lines)
        if rawframes:
            frame_ann = osp.join(root, f'{split}_rawframes.txt')
            _write_lines(frame_ann, frame_lines)
            result[f'{split}_rawframes_ann'] = frame_ann
    return result


def parse_args(argv=None):
    """Parses command-line arguments.

    Args:
        argv (list[str] | None): Arguments; None uses ``sys.argv``.

    Returns:
        argparse.Namespace: Parsed arguments.
    """
    parser = argparse.ArgumentParser(
        description='Write a small synthetic motion-classification video '
        'dataset (mp4 + MMAction2 annotation lists) for the HalluciNet demo.')
    parser.add_argument('--out', required=True, help='dataset root dir')
    parser.add_argument('--num-classes', type=int, default=6,
                        help=f'number of motion classes (1-{MAX_CLASSES})')
    parser.add_argument('--videos-per-class-train', type=int, default=20)
    parser.add_argument('--videos-per-class-val', type=int, default=10)
    parser.add_argument('--frames', type=int, default=40,
                        help='frames per video')
    parser.add_argument('--size', type=int, default=32,
                        help='frame side (square), even')
    parser.add_argument('--height', type=int, default=None,
                        help='frame height, overrides --size')
    parser.add_argument('--width', type=int, default=None,
                        help='frame width, overrides --size')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--fps', type=float, default=25)
    parser.add_argument('--static-cue', type=float, default=0.15,
                        help='strength of the weak single-frame class cue '
                        '(object brightness shift); 0 disables it')
    parser.add_argument('--rawframes', action='store_true',
                        help='also write JPEG frame folders and '
                        'RawframeDataset lists')
    return parser.parse_args(argv)


def main(argv=None):
    """Command-line entry point: generates the dataset and prints a summary.

    Args:
        argv (list[str] | None): Arguments; None uses ``sys.argv``.

    Returns:
        dict: The result of :func:`make_synthetic_dataset`.
    """
    args = parse_args(argv)
    height = args.height if args.height is not None else args.size
    width = args.width if args.width is not None else args.size
    start = time.perf_counter()
    info = make_synthetic_dataset(
        args.out,
        num_classes=args.num_classes,
        videos_per_class_train=args.videos_per_class_train,
        videos_per_class_val=args.videos_per_class_val,
        num_frames=args.frames,
        height=height,
        width=width,
        seed=args.seed,
        fps=args.fps,
        static_cue=args.static_cue,
        rawframes=args.rawframes)
    elapsed = time.perf_counter() - start
    k = info['num_classes']
    bound = min(1.0, (1 + args.static_cue / 0.3) / k) if k > 1 else 1.0
    print(f'Wrote synthetic dataset to {info["root"]} in {elapsed:.1f} s')
    print(f'  classes ({k}): {", ".join(info["classes"])}')
    print(f'  train: {info["num_train"]} videos, val: {info["num_val"]} '
          f'videos, {info["num_frames"]} frames of '
          f'{info["height"]}x{info["width"]} each')
    print(f'  videos: {info["video_dir"]}')
    print(f'  annotations: {info["train_ann"]}, {info["val_ann"]}, '
          f'{info["classes_file"]}')
    if info['rawframe_dir']:
        print(f'  rawframes: {info["rawframe_dir"]} '
              f'({info["train_rawframes_ann"]}, '
              f'{info["val_rawframes_ann"]})')
    print(f'  static cue {args.static_cue}: single-frame accuracy bound '
          f'~{bound:.3f} (chance {1 / k:.3f})')
    return info


if __name__ == '__main__':
    main()
