# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for tools/analysis/benchmark_cost.py, at tiny settings (the numbers
are not the real costs)."""
import json
import os.path as osp
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
import torch.nn as nn

from tools.analysis.benchmark_cost import (
    MODEL_SPECS, PHOTOS, SEGMENT_LEN, TEACHER, MemoryProbe, _feat_dim,
    build_model, count_flops, decode_video, encode_h264, jpeg_size,
    load_photo, main, measure_model, measure_model_isolated,
    parse_resolution, render_pan_zoom, split_segments, summarize_latency)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

STUDENT = 'mobilenet_v3_small@224'
TINY_MODEL_ARGS = ['--tiny', '--repeats', '2', '--warmup', '1',
                   '--threads', '1', '--device', 'cpu']
TINY_BW_ARGS = [
    '--sources', 'synthetic', 'astronaut', 'coffee', '--resolutions',
    '64x48', '32x24', '--source-resolution', '64x48', '--frames-per-video',
    '32', '--synthetic-videos', '1', '--clips-per-photo', '1'
]


@pytest.fixture
def keep_threads():
    """Restores torch's thread count after a test that sets it."""
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    """One tiny in-process run of the whole script; returns (report, JSON).
    """
    threads = torch.get_num_threads()
    out = tmp_path_factory.mktemp('bench') / 'cost.json'
    try:
        returned = main(TINY_MODEL_ARGS + [
            '--no-isolate', '--models', STUDENT, TEACHER, '--out',
            str(out)
        ] + TINY_BW_ARGS)
    finally:
        torch.set_num_threads(threads)
    with open(out) as f:
        return returned, json.load(f)


# ----------------------------------------------------------------- FLOPs


def test_flops_of_conv2d_match_hand_count():
    conv = nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=0)
    x = torch.zeros(1, 3, 11, 13)
    h_out, w_out = (11 - 3) // 2 + 1, (13 - 3) // 2 + 1  # 5, 6
    assert count_flops(conv, x) == 2 * 3 * 8 * 3 * 3 * h_out * w_out


def test_flops_of_linear_match_hand_count():
    linear = nn.Linear(5, 7)
    assert count_flops(linear, torch.zeros(2, 5)) == 2 * 2 * 5 * 7


def test_flops_of_grouped_conv3d_match_hand_count():
    conv = nn.Conv3d(8, 8, 3, padding=1, groups=4, bias=False)
    x = torch.zeros(1, 8, 4, 6, 6)
    assert count_flops(conv, x) == 2 * (8 // 4) * 8 * 27 * 4 * 6 * 6


def test_real_sized_flops_on_meta_device():
    # FlopCounterMode needs shapes only: the full-size numbers, free.
    with torch.device('meta'):
        flops = {}
        for name in (TEACHER, 'vgg11_bn@224', 'vgg11_bn@112+hallu'):
            model, _ = build_model(MODEL_SPECS[name])
            spec = MODEL_SPECS[name]
            flops[name] = count_flops(model, torch.empty(spec.input_shape()))
    assert 18.5e9 < flops[TEACHER] < 19.5e9
    assert 14.5e9 < flops['vgg11_bn@224'] < 15.5e9
    # +hallu adds exactly one Linear(512, 2048) to the 112 student
    assert flops['vgg11_bn@112+hallu'] > 2 * 512 * 2048
    assert flops['vgg11_bn@112+hallu'] < flops['vgg11_bn@224'] / 3


def test_student_feature_dims_match_recognizer2d():
    assert _feat_dim('vgg11_bn') == 512
    assert _feat_dim('resnet18') == 512
    assert _feat_dim('mobilenet_v3_small') == 576


# ------------------------------------------------------------ per model


def test_summarize_latency():
    stats = summarize_latency([0.001 * i for i in range(1, 11)])
    assert stats['median_ms'] == pytest.approx(5.5)
    assert stats['p90_ms'] == pytest.approx(9.1)
    assert stats['min_ms'] == pytest.approx(1.0)
    assert stats['repeats'] == 10


def test_measure_model_in_process(keep_threads):
    res = measure_model(STUDENT, repeats=2, warmup=1, threads=1, tiny=True)
    assert res['role'] == 'student'
    assert res['input_shape'] == [1, 3, 32, 32]
    assert res['threads'] == 1
    assert res['params'] == 927008  # MobileNetV3-small features
    assert res['flops'] > 0
    assert res['latency']['repeats'] == 2
    assert res['latency']['median_ms'] > 0
    assert res['memory']['increase_mib'] >= 0


def test_measure_model_isolated_runs_a_fresh_process():
    res = measure_model_isolated(
        STUDENT + '+hallu', repeats=2, warmup=1, threads=1, tiny=True)
    assert res['params'] == 927008 + 576 * 2048 + 2048
    assert 'HallucinationHead' in res['description']
    assert res['memory']['peak_mib'] > 0


def test_memory_probe_sees_a_known_allocation():
    # In a fresh process, as the benchmark measures each model: inside the
    # test process, earlier tests' freed heap can absorb the allocation.
    code = textwrap.dedent("""
        import json, numpy as np
        from tools.analysis.benchmark_cost import MemoryProbe
        probe = MemoryProbe('cpu')
        probe.start()
        block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
        print(json.dumps(probe.stop()))
    """)
    out = subprocess.run([sys.executable, '-c', code], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    mem = json.loads(out.stdout.strip().splitlines()[-1])
    if sys.platform.startswith('linux'):
        assert mem['method'].startswith('VmHWM')
        assert 60 < mem['increase_mib'] < 100
    assert mem['peak_mib'] >= mem['increase_mib']


def test_unknown_model_is_rejected():
    with pytest.raises(SystemExit):
        main(['--models', 'alexnet'])


# ------------------------------------------------------------ bandwidth


def test_parse_resolution():
    assert parse_resolution('320x240') == (320, 240)
    with pytest.raises(ValueError, match='even'):
        parse_resolution('171x128')


def test_photos_load_offline(monkeypatch):

    def no_network(*args, **kwargs):
        raise OSError('network disabled in this test')

    monkeypatch.setattr(socket.socket, 'connect', no_network)
    for name in PHOTOS:
        image = load_photo(name)
        assert image.dtype == np.uint8 and image.shape[2] == 3


def test_render_pan_zoom_is_deterministic_and_moves():
    image = load_photo('chelsea')
    a = render_pan_zoom(image, 8, 64, 48, np.random.default_rng(1))
    b = render_pan_zoom(image, 8, 64, 48, np.random.default_rng(1))
    assert a.shape == (8, 48, 64, 3) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, b)
    assert np.abs(a[0].astype(int) - a[-1]).mean() > 1  # the camera moves


def test_h264_segment_decodes_to_16_frames():
    image = load_photo('astronaut')
    frames = render_pan_zoom(image, SEGMENT_LEN + 4, 64, 48,
                             np.random.default_rng(0))
    segment = split_segments(frames)[0]
    mp4, packets = encode_h264(segment, crf=18)
    assert 0 < packets < len(mp4)
    decoded = decode_video(mp4)
    assert decoded.shape == (SEGMENT_LEN, 48, 64, 3)
    mae = np.abs(decoded.astype(float) - segment).mean()
    assert mae < 8, mae
    assert jpeg_size(segment[0], 95) > jpeg_size(segment[0], 50) > 0


def test_split_segments_drops_the_short_tail():
    frames = np.zeros((40, 4, 4, 3), np.uint8)
    segs = split_segments(frames)
    assert len(segs) == 2 and all(len(s) == SEGMENT_LEN for s in segs)


# -------------------------------------------------------------- the run


def test_report_json_structure(report):
    returned, data = report
    assert data == json.loads(json.dumps(returned))
    meta = data['meta']
    for key in ('command', 'date', 'torch_version', 'device_name',
                'threads'):
        assert meta[key], key
    assert meta['threads'] == 1 and meta['tiny'] is True
    assert '--tiny' in meta['command']
    models = data['models']
    assert any('2 x multiply-accumulates' in n for n in models['notes'])
    results = models['results']
    assert list(results) == [TEACHER, STUDENT]  # the teacher first
    teacher = results[TEACHER]
    assert teacher['role'] == 'teacher'
    assert 'depth=50' in teacher['description']
    assert teacher['ratio_to_teacher']['latency_median'] == 1.0
    student = results[STUDENT]
    for key in ('params', 'flops', 'gflops', 'latency', 'memory',
                'ratio_to_teacher'):
        assert key in student, key
    ratio = student['ratio_to_teacher']
    assert ratio['flops'] == pytest.approx(student['flops'] /
                                           teacher['flops'])
    assert 0 < ratio['flops'] < 1


def test_report_bandwidth(report):
    bandwidth = report[1]['bandwidth']
    assert any('synthetic' in n for n in bandwidth['notes'])
    rows = bandwidth['results']
    keys = {(r['source'], r['resolution']) for r in rows}
    for source in ('synthetic', 'astronaut', 'coffee', 'photos (all)'):
        for res in ('64x48', '32x24'):
            assert (source, res) in keys
    for row in rows:
        assert row['synthetic'] == (row['source'] == 'synthetic')
        assert row['segments'] >= 2  # 32 frames per video
        mean = row['mean_bytes']
        assert all(v > 0 for v in mean.values())
        assert mean['jpeg_16f'] > mean['jpeg_1f']
        assert mean['h264_16f_mp4'] > mean['h264_16f_packets']
        assert 20 < row['mean_psnr_db']['jpeg'] <= 100
        assert 20 < row['mean_psnr_db']['h264'] <= 100
        assert row['ratios']['jpeg_16f/jpeg_1f'] == pytest.approx(
            mean['jpeg_16f'] / mean['jpeg_1f'])
