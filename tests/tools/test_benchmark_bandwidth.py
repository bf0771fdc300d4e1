# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for tools/analysis/benchmark_bandwidth.py, at tiny sizes."""
import json
import socket

import numpy as np
import pytest

from tools.analysis.benchmark_bandwidth import (PHOTOS, SEGMENT_LEN,
                                                decode_video, encode_h264,
                                                jpeg_encode, load_photo, main,
                                                parse_resolution, psnr,
                                                render_pan_zoom,
                                                split_segments)


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    """One tiny run over every kind of source; returns the written JSON."""
    out = tmp_path_factory.mktemp('bandwidth') / 'bandwidth.json'
    main([
        '--sources', 'synthetic', 'astronaut', 'coffee', '--resolutions',
        '64x48', '32x24', '--source-resolution', '64x48',
        '--frames-per-video', '32', '--synthetic-videos', '1',
        '--clips-per-photo', '1', '--out', str(out)
    ])
    with open(out) as f:
        return json.load(f)


def test_parse_resolution():
    assert parse_resolution('320x240') == (320, 240)
    with pytest.raises(ValueError, match='171x128'):
        parse_resolution('171x128')
    with pytest.raises(ValueError, match='320-240'):
        parse_resolution('320-240')


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
    frames = render_pan_zoom(
        load_photo('astronaut'), SEGMENT_LEN + 4, 64, 48,
        np.random.default_rng(0))
    segment = split_segments(frames)[0]
    mp4, packets = encode_h264(segment, crf=18)
    assert 0 < packets < len(mp4)
    decoded = decode_video(mp4)
    assert decoded.shape == (SEGMENT_LEN, 48, 64, 3)
    assert 25 < psnr(segment, decoded) < 100
    assert psnr(segment, segment) == 100.0  # capped, not inf
    assert len(jpeg_encode(segment[0], 95)) > len(jpeg_encode(segment[0], 50))


def test_split_segments_drops_the_short_tail():
    segs = split_segments(np.zeros((40, 4, 4, 3), np.uint8))
    assert len(segs) == 2 and all(len(s) == SEGMENT_LEN for s in segs)


def test_report_rows(report):
    assert '--sources' in report['meta']['command']
    assert any('synthetic' in n for n in report['bandwidth']['notes'])
    rows = report['bandwidth']['results']
    keys = [(r['source'], r['resolution']) for r in rows]
    for source in ('synthetic', 'astronaut', 'coffee', 'photos (all)'):
        for res in ('64x48', '32x24'):
            assert (source, res) in keys
    assert keys[-1][0] == 'photos (all)'  # the pooled rows come last
    for row in rows:
        assert row['synthetic'] == (row['source'] == 'synthetic')
        assert row['segments'] == (4 if 'all' in row['source'] else 2)
        mean = row['mean_bytes']
        assert mean['jpeg_16f'] > mean['jpeg_1f'] > 0
        assert mean['h264_16f_mp4'] > mean['h264_16f_packets'] > 0
        assert 20 < row['mean_psnr_db']['jpeg'] <= 100
        assert 20 < row['mean_psnr_db']['h264'] <= 100
        assert row['ratios']['jpeg_16f/jpeg_1f'] == pytest.approx(
            mean['jpeg_16f'] / mean['jpeg_1f'])


def test_bad_arguments_name_the_option(capsys):
    with pytest.raises(SystemExit):
        main(['--frames-per-video', '8'])
    assert '--frames-per-video' in capsys.readouterr().err
