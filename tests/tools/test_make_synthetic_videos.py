"""Tests for tools/data/make_synthetic_videos.py."""
import colorsys
import os
import os.path as osp

import cv2
import decord
import numpy as np
import pytest

from tools.synthetic_demo.render import (MAX_CLASSES,
                                                     class_names, render_clip)
from tools.data.video_files import read_video, write_video
from tools.data.make_synthetic_videos import main, make_synthetic_dataset


def _read_lines(path):
    with open(path) as f:
        return f.read().splitlines()


def _read_bytes(path):
    with open(path, 'rb') as f:
        return f.read()


@pytest.fixture(scope='module')
def small_dataset(tmp_path_factory):
    """6 classes, 3 train + 2 val videos per class, 20 frames, rawframes."""
    out = tmp_path_factory.mktemp('synthetic')
    info = make_synthetic_dataset(
        str(out), num_classes=6, videos_per_class_train=3,
        videos_per_class_val=2, num_frames=20, seed=0, rawframes=True)
    return info


def test_video_annotations_and_files(small_dataset):
    info = small_dataset
    assert info['num_classes'] == 6
    assert info['num_train'] == 18 and info['num_val'] == 12
    names = _read_lines(info['classes_file'])
    assert names == info['classes'] == class_names(6)
    assert len(set(names)) == 6
    for split, per_class in (('train', 3), ('val', 2)):
        lines = _read_lines(info[f'{split}_ann'])
        assert len(lines) == 6 * per_class
        labels = []
        for line in lines:
            rel, label = line.split(' ')
            label = int(label)
            assert rel.endswith('.mp4') and not osp.isabs(rel)
            assert rel.startswith(split + '/')
            assert 0 <= label < 6
            # The file name carries the class name of its label.
            assert osp.basename(rel).startswith(names[label] + '_')
            path = osp.join(info['video_dir'], rel)
            assert osp.isfile(path)
            reader = decord.VideoReader(path, num_threads=1)
            assert len(reader) == 20
            assert reader[0].shape == (32, 32, 3)
            labels.append(label)
        assert sorted(set(labels)) == list(range(6))
        assert all(labels.count(k) == per_class for k in range(6))
        # The first K lines already cover every class.
        assert labels[:6] == list(range(6))


def test_rawframes_annotations(small_dataset):
    info = small_dataset
    frame_root = info['rawframe_dir']
    for split, count in (('train', 18), ('val', 12)):
        lines = _read_lines(info[f'{split}_rawframes_ann'])
        assert len(lines) == count
        for line in lines:
            frame_dir, total, label = line.split(' ')
            assert int(total) == 20 and 0 <= int(label) < 6
            files = sorted(os.listdir(osp.join(frame_root, frame_dir)))
            assert files == [f'img_{i:05}.jpg' for i in range(1, 21)]
        # Rawframes and video show the same content.
        frame_dir = lines[0].split(' ')[0]
        video = read_video(osp.join(info['video_dir'], frame_dir + '.mp4'))
        jpg = cv2.imread(osp.join(frame_root, frame_dir, 'img_00001.jpg'))
        assert jpg.shape == (32, 32, 3)
        err = np.abs(jpg[..., ::-1].astype(int) - video[0].astype(int))
        assert err.mean() < 12


def test_determinism(tmp_path):
    kwargs = dict(
        num_classes=3,
        videos_per_class_train=2,
        videos_per_class_val=1,
        num_frames=10)
    a = make_synthetic_dataset(str(tmp_path / 'a'), seed=7, **kwargs)
    b = make_synthetic_dataset(str(tmp_path / 'b'), seed=7, **kwargs)
    c = make_synthetic_dataset(str(tmp_path / 'c'), seed=8, **kwargs)
    for key in ('train_ann', 'val_ann', 'classes_file'):
        assert _read_bytes(a[key]) == _read_bytes(b[key])
    rel = _read_lines(a['train_ann'])[1].split(' ')[0]
    frames_a = read_video(osp.join(a['video_dir'], rel))
    frames_b = read_video(osp.join(b['video_dir'], rel))
    frames_c = read_video(osp.join(c['video_dir'], rel))
    assert frames_a.shape == (10, 32, 32, 3)
    np.testing.assert_array_equal(frames_a, frames_b)
    assert np.abs(frames_a.astype(int) - frames_c.astype(int)).mean() > 5
    # Rendering alone is deterministic too.
    f1, _ = render_clip(2, 8, rng=np.random.default_rng(3))
    f2, _ = render_clip(2, 8, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(f1, f2)


def test_non_square_size(tmp_path):
    info = make_synthetic_dataset(
        str(tmp_path), num_classes=2, videos_per_class_train=1,
        videos_per_class_val=1, num_frames=5, height=24, width=40)
    rel = _read_lines(info['val_ann'])[0].split(' ')[0]
    frames = read_video(osp.join(info['video_dir'], rel))
    assert frames.shape == (5, 24, 40, 3)


def test_widths_decord_misreads_are_rejected(tmp_path):
    """decord 0.6.0 returns 4 channels for width 48; the generator says so."""
    frames = np.full((2, 32, 48, 3), 100, np.uint8)
    path = write_video(str(tmp_path / 'w48.mp4'), frames)
    if decord.VideoReader(path, num_threads=1)[0].shape == (32, 48, 3):
        pytest.skip('this decord reads width 48 correctly')
    with pytest.raises(RuntimeError, match='decord'):
        write_video(path, frames, verify=True)
    with pytest.raises(ValueError, match='width'):
        make_synthetic_dataset(str(tmp_path / 'never'), width=48)
    assert not (tmp_path / 'never').exists()


@pytest.mark.parametrize('kwargs, name', [
    (dict(num_classes=MAX_CLASSES + 1), 'num_classes'),
    (dict(num_classes=0), 'num_classes'),
    (dict(num_frames=0), 'num_frames'),
    (dict(videos_per_class_train=0), 'videos_per_class_train'),
    (dict(videos_per_class_val=0), 'videos_per_class_val'),
    (dict(height=31), 'height'),
    (dict(width=4), 'width'),
    (dict(seed=-1), 'seed'),
    (dict(static_cue=-0.1), 'static_cue'),
    (dict(fps=0), 'fps'),
])
def test_invalid_arguments(tmp_path, kwargs, name):
    with pytest.raises(ValueError, match=name):
        make_synthetic_dataset(str(tmp_path / 'never'), **kwargs)
    assert not (tmp_path / 'never').exists()


def test_class_names():
    names = class_names(MAX_CLASSES)
    assert len(set(names)) == MAX_CLASSES
    assert names[:6] == [
        'move_right', 'move_left', 'move_up', 'move_down', 'rotate_cw',
        'rotate_ccw'
    ]


def _foreground(frames):
    """Per-pixel difference to the temporal median (the background)."""
    frames = frames.astype(np.float32)
    background = np.median(frames, axis=0)
    diff = np.abs(frames - background).sum(-1)
    return np.maximum(diff - 30, 0)


def _circular_shift(a, b):
    """(dx, dy) that best maps image a onto image b on the torus."""
    corr = np.fft.ifft2(np.conj(np.fft.fft2(a)) * np.fft.fft2(b)).real
    dy, dx = np.unravel_index(np.argmax(corr), corr.shape)
    h, w = a.shape
    return (dx + w // 2) % w - w // 2, (dy + h // 2) % h - h // 2


@pytest.mark.parametrize('label, sign_x, sign_y', [
    (0, 1, 0),  # move_right
    (1, -1, 0),  # move_left
    (2, 0, -1),  # move_up
    (3, 0, 1),  # move_down
])
def test_translation_direction(tmp_path, label, sign_x, sign_y):
    """The object in the decoded video moves in its class's direction."""
    frames, meta = render_clip(label, 40, rng=np.random.default_rng(11))
    decoded = read_video(write_video(str(tmp_path / 'v.mp4'), frames))
    fg = _foreground(decoded)
    step = 4
    shifts = np.array([
        _circular_shift(fg[t], fg[t + step])
        for t in range(0, len(fg) - step)
    ]) / step
    velocity = shifts.mean(axis=0)
    speed = np.hypot(*meta['velocity'])
    assert 0.8 <= speed <= 1.6
    # Every window (any start frame) moves in the class's direction.
    if sign_x:
        assert (np.sign(shifts[:, 0]) == sign_x).mean() > 0.9
        assert abs(velocity[1]) < 0.5  # integer shifts + aperture effect
    if sign_y:
        assert (np.sign(shifts[:, 1]) == sign_y).mean() > 0.9
        assert abs(velocity[0]) < 0.5
    np.testing.assert_allclose(velocity, meta['velocity'], atol=0.5)


@pytest.mark.parametrize('label, sign', [(4, 1), (5, -1)])
def test_rotation_direction(tmp_path, label, sign):
    """The bar in the decoded video turns clockwise / counter-clockwise."""
    frames, meta = render_clip(label, 20, rng=np.random.default_rng(5))
    decoded = read_video(write_video(str(tmp_path / 'v.mp4'),
                                     frames)).astype(np.float32)
    h, w = decoded.shape[1:3]
    mask = np.linalg.norm(decoded - np.array(meta['color']), axis=-1) < 60
    cx, cy = meta['centers'][0]
    assert np.ptp(meta['centers'], axis=0).max() == 0  # turns in place
    yy, xx = np.mgrid[0:h, 0:w]
    ox = (xx - cx + w / 2) % w - w / 2
    oy = (yy - cy + h / 2) % h - h / 2
    near = ox**2 + oy**2 < (meta['length'] / 2 + 2)**2
    angles = []
    for m in mask:
        wgt = m * near
        mu20, mu02 = (wgt * ox * ox).sum(), (wgt * oy * oy).sum()
        mu11 = (wgt * ox * oy).sum()
        angles.append(0.5 * np.arctan2(2 * mu11, mu20 - mu02))
    # Image y points down, so a growing angle turns clockwise on screen.
    turn = (np.diff(angles) + np.pi / 2) % np.pi - np.pi / 2
    assert (np.sign(turn) == sign).mean() > 0.9
    assert np.sign(meta['angular_velocity']) == sign
    assert abs(np.median(turn) - meta['angular_velocity']) < 0.05


def test_static_cue_is_weak_brightness_shift():
    """static_cue only shifts the object's brightness, by class."""
    values = {}
    for cue in (0.0, 0.15):
        values[cue] = [
            render_clip(label, 2, rng=np.random.default_rng(1),
                        static_cue=cue)[1]['value'] for label in range(6)
        ]
    assert np.ptp(values[0.0]) == 0
    np.testing.assert_allclose(np.diff(values[0.15]), 0.15 / 5, atol=1e-6)
    # The colour is otherwise the same random draw for every label.
    f0, _ = render_clip(0, 2, rng=np.random.default_rng(1), static_cue=0)
    f4, _ = render_clip(4, 2, rng=np.random.default_rng(1), static_cue=0)
    np.testing.assert_array_equal(f0[0], f4[0])


def test_cli_prints_summary(tmp_path, capsys):
    info = main([
        '--out',
        str(tmp_path / 'cli'), '--num-classes', '2',
        '--videos-per-class-train', '1', '--videos-per-class-val', '1',
        '--frames', '4', '--size', '20', '--rawframes',
        '--videos-per-class-test', '1', '--cue-strength', '0.5'
    ])
    out = capsys.readouterr().out
    assert 'Wrote 2 train, 2 val, 2 test videos (2 classes' in out
    assert 'hue cue 0.5' in out
    assert info['num_train'] == 2 and info['height'] == 20
    assert len(_read_lines(info['val_rawframes_ann'])) == 2


def test_mmaction_datasets_load_the_lists(small_dataset):
    """MMAction2's VideoDataset / RawframeDataset read the generated lists."""
    datasets = pytest.importorskip('mmaction.datasets')
    from mmaction.datasets.transforms import (DecordDecode, DecordInit,
                                              RawFrameDecode, SampleFrames)
    info = small_dataset
    videos = datasets.VideoDataset(
        info['val_ann'],
        pipeline=[
            DecordInit(),
            SampleFrames(clip_len=16, frame_interval=1, num_clips=1),
            DecordDecode()
        ],
        data_prefix=dict(video=info['video_dir']))
    assert len(videos) == 12
    sample = videos[7]
    assert sample['label'] == 1 and sample['total_frames'] == 20
    assert len(sample['imgs']) == 16
    assert sample['imgs'][0].shape == (32, 32, 3)
    frames = datasets.RawframeDataset(
        info['val_rawframes_ann'],
        pipeline=[
            SampleFrames(clip_len=16, frame_interval=1, num_clips=1),
            RawFrameDecode()
        ],
        data_prefix=dict(img=info['rawframe_dir']),
        filename_tmpl='img_{:05}.jpg',
        start_index=1)
    assert len(frames) == 12
    sample = frames[7]
    assert sample['label'] == 1 and sample['total_frames'] == 20
    assert len(sample['imgs']) == 16
    assert sample['imgs'][0].shape == (32, 32, 3)


# ------------------------------------------------------------ motion trail


def _trail_mask(label, trail, frame=10):
    """Pixels where the clip with a trail differs from the one without."""
    with_trail, meta = render_clip(
        label, 20, rng=np.random.default_rng(3), static_cue=0, trail=trail)
    plain, _ = render_clip(
        label, 20, rng=np.random.default_rng(3), static_cue=0, trail=0)
    diff = np.abs(with_trail[frame].astype(int) - plain[frame]).sum(-1)
    return diff > 30, meta


def test_trail_lies_behind_a_translating_bar():
    for label in range(4):  # right, left, up, down
        mask, meta = _trail_mask(label, trail=1.0)
        assert mask.sum() > 5
        ys, xs = np.nonzero(mask)
        cx, cy = meta['centers'][10]
        w = h = 32
        # Offsets from the bar's centre, wrapped on the torus.
        dx = (xs - cx + w / 2) % w - w / 2
        dy = (ys - cy + h / 2) % h - h / 2
        vx, vy = meta['velocity']
        # The trail is where the bar was: against the velocity.
        assert np.mean(dx * vx + dy * vy) < 0, meta['class_name']


def test_no_trail_when_opacity_is_zero():
    mask, meta = _trail_mask(0, trail=0.0)
    assert not mask.any() and meta['trail'] == 0.0
    with pytest.raises(ValueError, match='trail'):
        render_clip(0, 2, trail=1.5)


def test_cue_strength_per_video_and_absent_sometimes(tmp_path):
    info = make_synthetic_dataset(
        str(tmp_path / 'cue'), num_classes=2, videos_per_class_train=10,
        videos_per_class_val=1, num_frames=2, static_cue=0,
        cue_strength=0.8, cue_absent_prob=0.3)
    trails = np.array([v for k, v in info['cues'].items()
                       if k.startswith('train/')])
    assert (trails == 0).any() and (trails > 0).any()
    present = trails[trails > 0]
    assert present.min() >= 0.8 * 0.6 and present.max() <= 0.8
    assert len(np.unique(present)) == len(present)  # varies per video


def test_cue_draw_leaves_the_clips_otherwise_identical(tmp_path):
    """The null control is the cue data without the trail, frame for frame."""
    kw = dict(num_classes=2, videos_per_class_train=1, videos_per_class_val=1,
              num_frames=3, static_cue=0)
    plain = make_synthetic_dataset(str(tmp_path / 'plain'), **kw)
    cue = make_synthetic_dataset(
        str(tmp_path / 'cue'), cue_strength=0.8, cue_absent_prob=1.0, **kw)
    for rel in plain['cues']:
        a = read_video(osp.join(plain['video_dir'], rel))
        b = read_video(osp.join(cue['video_dir'], rel))
        np.testing.assert_array_equal(a, b)


def test_test_split_is_separate(tmp_path):
    info = make_synthetic_dataset(
        str(tmp_path / 'split'), num_classes=2, videos_per_class_train=1,
        videos_per_class_val=1, videos_per_class_test=2, num_frames=2)
    lines = _read_lines(info['test_ann'])
    assert info['num_test'] == 4 and all(
        line.startswith('test/') for line in lines)


def _hue(rgb):
    return colorsys.rgb_to_hsv(*(c / 255 for c in rgb))[0]


def test_hue_cue_pulls_the_colour_towards_the_class_hue():
    for label in range(6):
        base = _hue(render_clip(label, 1, rng=np.random.default_rng(label),
                                static_cue=0)[1]['color'])
        half = _hue(render_clip(label, 1, rng=np.random.default_rng(label),
                                static_cue=0, hue_pull=0.5)[1]['color'])
        full = _hue(render_clip(label, 1, rng=np.random.default_rng(label),
                                static_cue=0, hue_pull=1.0)[1]['color'])

        def dist(h):  # circular distance to the class hue label / 6
            return abs((h - label / 6 + 0.5) % 1.0 - 0.5)

        assert dist(full) == pytest.approx(0.0, abs=1e-6)
        assert dist(half) == pytest.approx(dist(base) / 2, abs=1e-6)


def test_unknown_cue_kind_is_refused(tmp_path):
    with pytest.raises(ValueError, match='cue_kind'):
        make_synthetic_dataset(str(tmp_path), cue_kind='blur')
