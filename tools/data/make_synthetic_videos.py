"""Writes the synthetic video dataset of the HalluciNet demo (mp4 + lists).

HalluciNet trains a 2D-CNN that sees **one** frame to classify an action and,
as an auxiliary task, to *hallucinate* the features that a 3D-CNN computes from
the 16 frames starting at that frame. The clips (a bar that translates or
rotates over a drifting texture; the class is the motion) are drawn by
``tools/synthetic_demo/render.py``, whose docstring declares
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
import sys
import time

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))  # run as a script from anywhere
from tools.data.video_files import (check_decodable,  # noqa: E402
                                    write_rawframes, write_video)
from tools.synthetic_demo.render import (  # noqa: E402
    MAX_CLASSES, check_int, check_side, class_names, cue_arguments,
    draw_cue_visibility, render_clip)
from tools.synthetic_demo.teacher_domain import (  # noqa: E402
    render_teacher_clip, teacher_class_names, teacher_clip_rng)

_SPLIT_IDS = {'train': 0, 'val': 1, 'test': 2}


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
    check_int('num_classes', num_classes, 1, MAX_CLASSES)
    check_int('videos_per_class_train', videos_per_class_train, 1)
    check_int('videos_per_class_val', videos_per_class_val, 1)
    check_int('num_frames', num_frames, 1)
    check_side('height', height)
    check_side('width', width)
    check_int('seed', seed, 0)
    if not fps > 0:
        raise ValueError(f'fps must be > 0, got {fps}')
    check_int('videos_per_class_test', videos_per_class_test, 0)
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

    def render(split, label, idx):
        rng = np.random.default_rng([seed, _SPLIT_IDS[split], label, idx])
        visibility = draw_cue_visibility(
            np.random.default_rng([seed, _SPLIT_IDS[split], label, idx, 1]),
            cue_strength, cue_absent_prob)
        result['cues'][f'{split}/{names[label]}_{idx:04d}.mp4'] = visibility
        return render_clip(
            label, num_frames, height, width, rng, num_classes=num_classes,
            **cue_arguments(cue_kind, visibility, static_cue))[0]

    _write_splits(result, per_class, render, fps, have_decord)
    return result


def _write_splits(result, per_class, render, fps, verify_first):
    """Writes every split's videos (and rawframes) and lists into ``result``.

    Args:
        result (dict): The dataset's description so far (``root``,
            ``video_dir``, ``classes``, ``num_frames``, ``rawframe_dir``);
            ``<split>_ann``, ``num_<split>`` (and the rawframe lists) are
            added.
        per_class (dict): Videos per class of each split.
        render (callable): ``render(split, label, idx)`` -> uint8 frames.
        fps (float): The mp4 frame rate.
        verify_first (bool): Decode the first video of each split back.
    """
    root, names = result['root'], result['classes']
    frame_root = result['rawframe_dir']
    for split, count in per_class.items():
        video_lines, frame_lines = [], []
        for idx in range(count):
            for label, name in enumerate(names):
                frames = render(split, label, idx)
                rel = f'{split}/{name}_{idx:04d}'
                write_video(
                    osp.join(result['video_dir'], rel + '.mp4'), frames, fps,
                    verify=verify_first and idx == 0 and label == 0)
                video_lines.append(f'{rel}.mp4 {label}')
                if frame_root:
                    write_rawframes(osp.join(frame_root, rel), frames)
                    frame_lines.append(f'{rel} {len(frames)} {label}')
        ann = osp.join(root, f'{split}.txt')
        _write_lines(ann, video_lines)
        result[f'{split}_ann'] = ann
        result[f'num_{split}'] = len(video_lines)
        if frame_root:
            frame_ann = osp.join(root, f'{split}_rawframes.txt')
            _write_lines(frame_ann, frame_lines)
            result[f'{split}_rawframes_ann'] = frame_ann


def make_teacher_dataset(out_dir,
                         videos_per_class_train=80,
                         videos_per_class_val=20,
                         videos_per_class_test=20,
                         num_frames=40,
                         height=32,
                         width=32,
                         seed=0,
                         fps=25):
    """Writes the teacher's own domain (the Kinetics analogue).

    The videos, objects, backgrounds and 10 classes of
    :mod:`tools.synthetic_demo.teacher_domain`, from a random stream of
    their own: no video or frame is one of :func:`make_synthetic_dataset`'s
    (same layout: ``classes.txt``, ``{train,val,test}.txt``,
    ``videos/<split>/<class>_<idx>.mp4``).

    Args:
        out_dir (str): Dataset root.
        videos_per_class_train (int): Training videos per class (>= 1).
        videos_per_class_val (int): Validation videos per class (>= 1).
        videos_per_class_test (int): Held-out test videos per class (>= 1):
            the teacher's accuracy on its own domain is reported on them.
        num_frames (int): Frames per video.
        height (int): Frame height, even and >= 8.
        width (int): Frame width, even and >= 8.
        seed (int): Non-negative data seed.
        fps (float): Frame rate stored in the mp4 files.

    Returns:
        dict: As :func:`make_synthetic_dataset` (without ``cues``).
    """
    for name, value in (('videos_per_class_train', videos_per_class_train),
                        ('videos_per_class_val', videos_per_class_val),
                        ('videos_per_class_test', videos_per_class_test),
                        ('num_frames', num_frames)):
        check_int(name, value, 1)
    check_side('height', height)
    check_side('width', width)
    check_int('seed', seed, 0)
    check_decodable(height, width)
    root = osp.abspath(out_dir)
    names = teacher_class_names()
    os.makedirs(root, exist_ok=True)
    _write_lines(osp.join(root, 'classes.txt'), names)
    result = dict(root=root, video_dir=osp.join(root, 'videos'),
                  classes_file=osp.join(root, 'classes.txt'),
                  rawframe_dir=None, classes=names, num_classes=len(names),
                  num_frames=num_frames, height=height, width=width)

    def render(split, label, idx):
        rng = teacher_clip_rng(seed, _SPLIT_IDS[split], label, idx)
        return render_teacher_clip(label, num_frames, height, width, rng)[0]

    per_class = dict(train=videos_per_class_train, val=videos_per_class_val,
                     test=videos_per_class_test)
    _write_splits(result, per_class, render, fps,
                  importlib.util.find_spec('decord') is not None)
    return result


def parse_args(argv=None):
    """Parses the command line (``argv=None`` reads ``sys.argv``)."""
    parser = argparse.ArgumentParser(
        description='Write a small synthetic motion-classification video '
        'dataset (mp4 + MMAction2 annotation lists) for the HalluciNet demo.')
    parser.add_argument('--out', required=True, help='dataset root dir')
    parser.add_argument(
        '--domain', choices=['students', 'teacher'], default='students',
        help="'teacher': the teacher's own domain (10 other classes, other "
        "objects and backgrounds, its own random stream; tools/"
        "synthetic_demo/teacher_domain.py), with 80/20/20 videos per class "
        'unless the --videos-per-class-* options say otherwise; only '
        '--frames, --size/--height/--width, --seed and --fps apply to it')
    parser.add_argument('--num-classes', type=int, default=6,
                        help=f'number of motion classes (1-{MAX_CLASSES})')
    parser.add_argument('--videos-per-class-train', type=int)
    parser.add_argument('--videos-per-class-val', type=int)
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
    parser.add_argument('--videos-per-class-test', type=int)
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
    sizes = {f'videos_per_class_{split}': getattr(
        args, f'videos_per_class_{split}') for split in ('train', 'val',
                                                         'test')}
    sizes = {k: v for k, v in sizes.items() if v is not None}
    if args.domain == 'teacher':
        info = make_teacher_dataset(
            args.out, num_frames=args.frames, height=height, width=width,
            seed=args.seed, fps=args.fps, **sizes)
        print(f'Wrote the teacher domain: {info["num_train"]} train, '
              f'{info["num_val"]} val, {info["num_test"]} test videos '
              f'({info["num_classes"]} classes) to {info["root"]} in '
              f'{time.perf_counter() - start:.1f} s')
        return info
    sizes = dict(dict(videos_per_class_train=20, videos_per_class_val=10),
                 **sizes)
    info = make_synthetic_dataset(
        args.out,
        num_classes=args.num_classes,
        **sizes,
        num_frames=args.frames,
        height=height,
        width=width,
        seed=args.seed,
        fps=args.fps,
        static_cue=args.static_cue,
        rawframes=args.rawframes,
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
