"""Writes the synthetic video dataset of the HalluciNet demo (mp4 + lists).

HalluciNet trains a 2D-CNN that sees **one** frame to classify an action and,
as an auxiliary task, to *hallucinate* the features that a 3D-CNN computes from
the 16 frames starting at that frame. The clips (a bar that translates or
rotates over a drifting texture; the class is the motion) are drawn by
``hallucinet_mm/datasets/synthetic_motion.py``, whose docstring declares
their content and the single-frame cues it can draw.

Two settings matter for the demo (``tools/run_synthetic_demo.py``):

* **No-cue data** (``cue_strength=0``, ``static_cue=0``): one frame carries
  nothing about the class; the null control.
* **Cue data** (``cue_strength > 0``): each video gets a cue of the kind
  ``cue_kind`` (``'hue'``: the object's colour pulled towards its class's
  typical hue; ``'trail'``: a motion trail; ``'brightness'``: a
  class-dependent brightness) with visibility ``cue_strength *
  U(CUE_VISIBILITY)``, or none with probability ``cue_absent_prob``. The
  draw uses its own random stream, so the clips are otherwise identical to
  the no-cue data of the same seed.

Frame sides must be even (the codec silently crops odd sizes), and a few
widths (8, 12, 16, 24, 48, 72) are rejected because decord 0.6.0 misreads
them (it reports 4 channels); the generator probes this before writing.

The ``mp4v`` encoder's motion-compensated prediction makes a decoded
frame's artefacts depend weakly on the motion: a tiny leak, ignored here.

Files written under ``out_dir``::

    classes.txt              one class name per line; line i is label i
    train.txt, val.txt       VideoDataset lists: "train/move_right_0000.mp4 0"
    test.txt                 only with videos_per_class_test > 0
    videos/{train,val,test}/<class>_<idx>.mp4
    # only with rawframes=True / --rawframes:
    rawframes/{train,val}/<class>_<idx>/img_00001.jpg ...
    train_rawframes.txt, val_rawframes.txt
                        RawframeDataset lists: "train/move_right_0000 40 0"

Use it in a config with ``ann_file=ROOT/train.txt`` and
``data_prefix=dict(video=ROOT/videos)``, or the rawframe lists with
``data_prefix=dict(img=ROOT/rawframes)``, ``filename_tmpl='img_{:05}.jpg'``
and ``start_index=1``. Lines are ordered by video index and then by class
(the first ``K`` lines cover all classes). A clip's random stream depends
only on ``(seed, split, label, index)``: the lists and frames are identical
across runs. Rawframe JPEGs come from the rendered frames, not the mp4.

Example::

    python tools/data/make_synthetic_videos.py --out data/synthetic --rawframes
"""
import argparse
import importlib.util
import os
import os.path as osp
import tempfile
import time

import cv2
import numpy as np

from hallucinet_mm.datasets.synthetic_motion import (  # noqa: F401
    MAX_CLASSES, MIN_SIDE, MOTIONS, _check_int, _check_side, class_names,
    cue_arguments, draw_cue_visibility, render_clip)

#: Largest mean absolute error accepted by ``write_video(verify=True)``.
VERIFY_MAX_MAE = 20.0

_SPLIT_IDS = {'train': 0, 'val': 1, 'test': 2}


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
                           rawframes=False,
                           videos_per_class_test=0,
                           cue_strength=0.0,
                           cue_absent_prob=0.0,
                           cue_kind='hue'):
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
        videos_per_class_test (int): Test videos per class; 0 (the default)
            writes no test split.
        cue_strength (float): Largest visibility in [0, 1] of the
            single-frame cue; 0 (the default) draws none.
        cue_absent_prob (float): Probability in [0, 1] that a video has no
            cue at all. Defaults to 0.
        cue_kind (str): ``'hue'``, ``'trail'`` or ``'brightness'``. Defaults
            to ``'hue'``.

    Returns:
        dict: ``root``, ``video_dir``, ``train_ann``, ``val_ann``,
        ``classes_file``, ``rawframe_dir``, ``train_rawframes_ann``,
        ``val_rawframes_ann`` (the last three None unless ``rawframes``),
        ``classes`` (list of names), ``num_classes``, ``num_train``,
        ``num_val``, ``num_frames``, ``height``, ``width``; with a test
        split also ``test_ann`` and ``num_test``; ``cues`` maps each
        video's relative path to its cue's visibility.

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
    _check_int('videos_per_class_test', videos_per_class_test, 0)
    cue_arguments(cue_kind, 0.0, static_cue)  # checks the kind
    for name, value in (('static_cue', static_cue),
                        ('cue_strength', cue_strength),
                        ('cue_absent_prob', cue_absent_prob)):
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f'{name} must be in [0, 1], got {value}')
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
        width=width,
        cues={})
    per_class = dict(train=videos_per_class_train, val=videos_per_class_val)
    if videos_per_class_test:
        per_class['test'] = videos_per_class_test
    for split, count in per_class.items():
        video_lines, frame_lines = [], []
        for idx in range(count):
            for label, name in enumerate(names):
                rng = np.random.default_rng(
                    [seed, _SPLIT_IDS[split], label, idx])
                visibility = draw_cue_visibility(
                    np.random.default_rng(
                        [seed, _SPLIT_IDS[split], label, idx, 1]),
                    cue_strength, cue_absent_prob)
                frames, _ = render_clip(
                    label, num_frames, height, width, rng,
                    num_classes=num_classes,
                    **cue_arguments(cue_kind, visibility, static_cue))
                rel = f'{split}/{name}_{idx:04d}'
                result['cues'][rel + '.mp4'] = visibility
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
    """Parses the command line (``argv=None`` reads ``sys.argv``)."""
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
    parser.add_argument('--videos-per-class-test', type=int, default=0)
    parser.add_argument('--cue-strength', type=float, default=0.0,
                        help='largest visibility of the single-frame cue')
    parser.add_argument('--cue-kind', default='hue',
                        choices=['hue', 'trail', 'brightness'])
    parser.add_argument('--cue-absent-prob', type=float, default=0.0,
                        help='probability that a video has no trail')
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
        rawframes=args.rawframes,
        videos_per_class_test=args.videos_per_class_test,
        cue_strength=args.cue_strength,
        cue_absent_prob=args.cue_absent_prob,
        cue_kind=args.cue_kind)
    k = info['num_classes']
    splits = ', '.join(f'{info[f"num_{split}"]} {split}'
                       for split in ('train', 'val', 'test')
                       if f'num_{split}' in info)
    print(f'Wrote {splits} videos ({k} classes, {info["num_frames"]} frames '
          f'of {height}x{width}) to {info["root"]} in '
          f'{time.perf_counter() - start:.1f} s; {args.cue_kind} cue '
          f'{args.cue_strength}, static cue {args.static_cue} (chance '
          f'{1 / k:.3f})')
    return info


if __name__ == '__main__':
    main()
