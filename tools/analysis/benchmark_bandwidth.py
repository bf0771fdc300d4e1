# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Bytes of one frame vs a 16-frame segment: what HalluciNet's single-frame
input saves in bandwidth.

Sources are real encoded files: the synthetic motion videos of
``tools/data/make_synthetic_videos.py`` (synthetic content) and a virtual
camera panning and zooming over photographs bundled in scikit-image
(natural content, synthetic motion). Both are written as MPEG-4 Part 2
(``mp4v``) at ``--source-resolution`` and decoded with PyAV; the frames are
resized (``cv2.INTER_AREA``) to each of ``--resolutions`` and cut into
non-overlapping 16-frame segments. Per segment: bytes of its first frame as
a JPEG, of its 16 frames as 16 JPEGs, and of the 16 frames encoded with
libx264 (mp4 file, and its H.264 packets alone), with the mean PSNR
(``skimage.metrics.peak_signal_noise_ratio``) of the decoded JPEGs and
H.264 frames: the codecs are not at equal quality.

Example::

    python tools/analysis/benchmark_bandwidth.py \\
        --out docs/benchmarks/bandwidth.json
"""
import argparse
import io
import math
import os.path as osp
import sys
import tempfile
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))  # run as a script from anywhere
from tools.analysis.bench_utils import (finish_report,  # noqa: E402
                                        format_table, run_metadata)

SEGMENT_LEN = 16
PHOTOS = ('astronaut', 'coffee', 'chelsea')
SOURCES = ('synthetic', ) + PHOTOS
COLUMNS = ('source', 'synthetic', 'res', 'segs', '1 JPEG B', '16 JPEG B',
           'H264 mp4 B', 'H264 pkt B', '16J/1J', 'H264/1J', 'PSNR J/H dB')
SOURCE_NOTE = (
    "Source 'synthetic': rendered bar on a textured background "
    '(tools/data/make_synthetic_videos.py), synthetic content. Sources '
    'astronaut/coffee/chelsea: photographs bundled in scikit-image seen '
    'through a virtual camera pan + zoom (natural content, synthetic global '
    'motion, no object motion or sensor noise unless --natural-noise-std).')
H264_NOTE = (
    'libx264 (PyAV 18.1.0 wheel) reads uninitialised memory with B-frames '
    'and subme >= 2 (preset medium): a segment\'s H.264 size varies by '
    '1-2 % between runs, means by well under 1 %; --x264-params subme=1 or '
    'bframes=0 makes sizes reproducible (and different).')


def parse_resolution(text: str) -> Tuple[int, int]:
    """Parses ``'WxH'`` with even sides >= 16 (yuv420p needs even sides).

    Raises:
        ValueError: If malformed or odd, naming the text.
    """
    try:
        width, height = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise ValueError(f'resolution must look like 320x240, got {text!r}')
    if min(width, height) < 16 or width % 2 or height % 2:
        raise ValueError('resolution sides must be even and >= 16 (yuv420p '
                         f'H.264), got {text!r}; e.g. 172x128 for 171x128')
    return width, height


def load_photo(name: str) -> np.ndarray:
    """A photograph bundled in scikit-image (no download), RGB uint8."""
    if name not in PHOTOS:
        raise ValueError(f'unknown photo {name!r}; choose from {PHOTOS}')
    from skimage import data
    return np.asarray(getattr(data, name)())


def render_pan_zoom(image: np.ndarray,
                    num_frames: int,
                    width: int,
                    height: int,
                    rng: np.random.Generator,
                    noise_std: float = 0.0) -> np.ndarray:
    """(T, height, width, 3) uint8 frames of a virtual camera panning and
    zooming linearly over an RGB photo: the window's width goes between two
    random fractions (0.6-0.9) of the largest that fits, its centre between
    two random points that keep it inside; ``noise_std`` adds Gaussian pixel
    noise (0-255 scale)."""
    aspect = width / height
    img_h, img_w = image.shape[:2]
    widths = rng.uniform(0.6, 0.9, size=2) * min(img_w, img_h * aspect)
    ends = [(rng.uniform(w / 2, img_w - w / 2),
             rng.uniform(w / aspect / 2, img_h - w / aspect / 2), w)
            for w in widths]
    t = np.linspace(0.0, 1.0, num_frames)[:, None]
    path = np.array(ends[0]) + (np.array(ends[1]) - ends[0]) * t
    frames = np.empty((num_frames, height, width, 3), np.uint8)
    for i, (cx, cy, win_w) in enumerate(path):
        scale = win_w / width  # photo px per output px (pixel centres)
        matrix = np.array(
            [[scale, 0, cx - win_w / 2 + 0.5 * scale - 0.5],
             [0, scale, cy - win_w / aspect / 2 + 0.5 * scale - 0.5]])
        frame = cv2.warpAffine(image, matrix, (width, height),
                               flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REFLECT)
        if noise_std > 0:
            frame = np.clip(
                np.rint(frame + rng.normal(0.0, noise_std, frame.shape)), 0,
                255).astype(np.uint8)
        frames[i] = frame
    return frames


def make_sources(out_dir: str, args: argparse.Namespace
                 ) -> List[Tuple[str, str]]:
    """Writes the source videos; returns (source name, path) pairs."""
    from tools.synthetic_demo.render import MAX_CLASSES
    from tools.data.video_files import write_video
    from tools.data.make_synthetic_videos import make_synthetic_dataset
    width, height = parse_resolution(args.source_resolution)
    videos = []
    if 'synthetic' in args.sources:
        classes = min(args.synthetic_videos, MAX_CLASSES)
        info = make_synthetic_dataset(
            osp.join(out_dir, 'synthetic'), num_classes=classes,
            videos_per_class_train=math.ceil(args.synthetic_videos / classes),
            videos_per_class_val=1, num_frames=args.frames_per_video,
            height=height, width=width, seed=args.seed)
        with open(info['train_ann']) as f:
            rel = [line.split()[0] for line in f if line.strip()]
        videos += [('synthetic', osp.join(info['video_dir'], r))
                   for r in rel[:args.synthetic_videos]]
    for p_idx, photo in enumerate(s for s in args.sources if s in PHOTOS):
        image = load_photo(photo)
        for clip in range(args.clips_per_photo):
            rng = np.random.default_rng([args.seed, p_idx, clip])
            frames = render_pan_zoom(image, args.frames_per_video, width,
                                     height, rng, args.natural_noise_std)
            path = osp.join(out_dir, 'photos', f'{photo}_{clip:02d}.mp4')
            videos.append((photo, write_video(path, frames)))
    return videos


def decode_video(data) -> np.ndarray:
    """Every frame of a video (a path or the file's bytes), RGB uint8."""
    import av
    src = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    with av.open(src) as container:
        return np.stack([
            f.to_ndarray(format='rgb24') for f in container.decode(video=0)
        ])


def split_segments(frames: np.ndarray,
                   length: int = SEGMENT_LEN) -> List[np.ndarray]:
    """Non-overlapping segments from frame 0 on; a short tail is dropped."""
    return [
        frames[i:i + length]
        for i in range(0, len(frames) - length + 1, length)
    ]


def jpeg_encode(frame: np.ndarray, quality: int = 95) -> bytes:
    """One RGB frame as a JPEG file (``cv2.imencode``, 4:2:0)."""
    ok, buf = cv2.imencode('.jpg', np.ascontiguousarray(frame[..., ::-1]),
                           [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError('cv2.imencode failed')
    return buf.tobytes()


def jpeg_decode(data: bytes) -> np.ndarray:
    """A JPEG file as RGB uint8."""
    return cv2.imdecode(np.frombuffer(data, np.uint8),
                        cv2.IMREAD_COLOR)[..., ::-1]


def psnr(reference: np.ndarray, test: np.ndarray) -> float:
    """PSNR of 8-bit images in dB, capped at 100 (identical images)."""
    from skimage.metrics import peak_signal_noise_ratio
    if np.array_equal(reference, test):
        return 100.0
    return min(100.0,
               peak_signal_noise_ratio(reference, test, data_range=255))


def encode_h264(frames: np.ndarray,
                crf: int = 23,
                preset: str = 'medium',
                fps: int = 25,
                x264_params: Optional[str] = None) -> Tuple[bytes, int]:
    """Encodes (T, H, W, 3) RGB frames (even sides) with libx264 (yuv420p,
    one thread; see ``H264_NOTE``) into an in-memory mp4 file.

    Returns:
        tuple[bytes, int]: The mp4 file and the summed size of its H.264
        packets (no container, no SPS/PPS).
    """
    import av
    buf, packet_bytes = io.BytesIO(), 0
    with av.open(buf, mode='w', format='mp4') as container:
        stream = container.add_stream('libx264', rate=fps)
        stream.height, stream.width = frames.shape[1:3]
        stream.pix_fmt = 'yuv420p'
        options = {'crf': str(crf), 'preset': preset}
        if x264_params:
            options['x264-params'] = x264_params
        stream.options = options
        stream.codec_context.thread_count = 1  # sizes independent of cores
        video_frames = [
            av.VideoFrame.from_ndarray(np.ascontiguousarray(f), 'rgb24')
            for f in frames
        ] + [None]  # None flushes the encoder
        for video_frame in video_frames:
            for packet in stream.encode(video_frame):
                packet_bytes += packet.size
                container.mux(packet)
    return buf.getvalue(), packet_bytes


def segment_sizes(segment: np.ndarray, args: argparse.Namespace
                  ) -> Dict[str, float]:
    """Bytes of one segment in every form and the quality of each.

    Returns:
        dict: ``jpeg_1f``, ``jpeg_16f``, ``h264_16f_mp4``,
        ``h264_16f_packets`` (bytes) and ``jpeg_psnr_db``/``h264_psnr_db``
        (mean over the frames).
    """
    jpegs = [jpeg_encode(f, args.jpeg_quality) for f in segment]
    mp4, packets = encode_h264(segment, args.crf, args.preset, args.fps,
                               args.x264_params)
    jpeg_psnr = [psnr(f, jpeg_decode(j)) for f, j in zip(segment, jpegs)]
    h264_psnr = [psnr(f, d) for f, d in zip(segment, decode_video(mp4))]
    return dict(
        jpeg_1f=len(jpegs[0]),
        jpeg_16f=sum(len(j) for j in jpegs),
        h264_16f_mp4=len(mp4),
        h264_16f_packets=packets,
        jpeg_psnr_db=float(np.mean(jpeg_psnr)),
        h264_psnr_db=float(np.mean(h264_psnr)))


def summarize_sizes(rows: Sequence[Dict[str, float]]) -> Dict[str, object]:
    """Mean bytes per segment, ratios of the means and mean PSNRs."""
    keys = ('jpeg_1f', 'jpeg_16f', 'h264_16f_mp4', 'h264_16f_packets')
    mean = {k: float(np.mean([r[k] for r in rows])) for k in keys}
    ratios = {f'{k}/jpeg_1f': mean[k] / mean['jpeg_1f'] for k in keys[1:]}
    ratios['h264_16f_mp4/jpeg_16f'] = mean['h264_16f_mp4'] / mean['jpeg_16f']
    return dict(
        segments=len(rows),
        mean_bytes=mean,
        ratios=ratios,
        mean_psnr_db={
            kind: float(np.mean([r[f'{kind}_psnr_db'] for r in rows]))
            for kind in ('jpeg', 'h264')
        })


def measure_bandwidth(videos: Sequence[Tuple[str, str]],
                      args: argparse.Namespace) -> List[Dict[str, object]]:
    """Segment sizes of (source, path) videos per source and resolution.

    Returns:
        list[dict]: One row per (source, resolution): ``source``,
        ``synthetic``, ``resolution``, ``videos`` and the keys of
        :func:`summarize_sizes`; source ``'photos (all)'`` pools the photos
        when there are several.

    Raises:
        ValueError: If a source gives no 16-frame segment.
    """
    groups = OrderedDict()
    for source, path in videos:
        frames = decode_video(path)
        for res in args.resolutions:
            width, height = parse_resolution(res)
            keys = [(source, res)]
            if source != 'synthetic' and len(
                    set(args.sources) & set(PHOTOS)) > 1:
                keys.append(('photos (all)', res))
            resized = np.stack([
                cv2.resize(f, (width, height), interpolation=cv2.INTER_AREA)
                for f in frames
            ])
            rows = [segment_sizes(s, args) for s in split_segments(resized)]
            for key in keys:
                group = groups.setdefault(key, dict(videos=0, rows=[]))
                group['videos'] += 1
                group['rows'] += rows
    results = []
    for (source, res), group in sorted(
            groups.items(), key=lambda kv: kv[0][0] == 'photos (all)'):
        if not group['rows']:
            raise ValueError(f'{source}: videos shorter than {SEGMENT_LEN} '
                             'frames give no segment')
        results.append(
            dict(source=source, synthetic=source == 'synthetic',
                 resolution=res, videos=group['videos'],
                 **summarize_sizes(group['rows'])))
    return results


def format_bandwidth_table(results: Sequence[Dict]) -> str:
    """The bandwidth table as text."""
    rows = []
    for r in results:
        m, q, p = r['mean_bytes'], r['ratios'], r['mean_psnr_db']
        rows.append([
            r['source'], 'yes' if r['synthetic'] else 'no', r['resolution'],
            r['segments'], f'{m["jpeg_1f"]:.0f}', f'{m["jpeg_16f"]:.0f}',
            f'{m["h264_16f_mp4"]:.0f}', f'{m["h264_16f_packets"]:.0f}',
            f'{q["jpeg_16f/jpeg_1f"]:.2f}', f'{q["h264_16f_mp4/jpeg_1f"]:.2f}',
            f'{p["jpeg"]:.1f}/{p["h264"]:.1f}'
        ])
    return format_table(COLUMNS, rows)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parses and checks the command line (errors name the option)."""
    parser = argparse.ArgumentParser(
        description='Bytes of 1 frame vs 16 frames (JPEG, H.264).')
    add = parser.add_argument
    add('--out', default='work_dirs/benchmarks/bandwidth.json')
    add('--sources', nargs='+', default=list(SOURCES), choices=SOURCES)
    add('--resolutions', nargs='+', default=['320x240', '172x128'],
        help='WxH with even sides (171x128 -> 172x128)')
    for name, value in (('source-resolution', '320x240'), ('preset', 'medium'),
                        ('x264-params', None)):
        add(f'--{name}', default=value)
    for name, value in (('frames-per-video', 48), ('synthetic-videos', 6),
                        ('clips-per-photo', 2), ('jpeg-quality', 95),
                        ('crf', 23), ('fps', 25), ('seed', 0)):
        add(f'--{name}', type=int, default=value)
    add('--natural-noise-std', type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.frames_per_video < SEGMENT_LEN:
        parser.error(f'--frames-per-video must be >= {SEGMENT_LEN}')
    for res in args.resolutions + [args.source_resolution]:
        try:
            parse_resolution(res)
        except ValueError as err:
            parser.error(str(err))
    return args


def main(argv: Optional[Sequence[str]] = None) -> Dict:
    """Writes the sources, measures, prints the table and writes JSON."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    import av
    report = dict(meta=run_metadata(__file__, argv, 'cpu'))
    with tempfile.TemporaryDirectory() as tmp:
        results = measure_bandwidth(make_sources(tmp, args), args)
    report['bandwidth'] = dict(
        settings=dict(vars(args), segment_frames=SEGMENT_LEN,
                      av_version=av.__version__, cv2_version=cv2.__version__),
        notes=[SOURCE_NOTE, H264_NOTE], results=results)
    print(format_bandwidth_table(results))
    print('Mean bytes per 16-frame segment; ratios of the means. PSNR J/H: '
          'mean PSNR of the decoded JPEGs / H.264 frames (not equal '
          f'quality).\n{SOURCE_NOTE}\n{H264_NOTE}')
    finish_report(report, args.out)
    return report


if __name__ == '__main__':
    main()
