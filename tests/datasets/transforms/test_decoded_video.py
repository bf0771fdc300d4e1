"""Decoded-video cache: the frames decord gives, from memory, within a budget."""
import glob
import os.path as osp

import numpy as np
import pytest

from hallucinet_mm.datasets.transforms import (CheckedDecordDecode,
                                               CheckedDecordInit,
                                               VideoReadError)
from hallucinet_mm.datasets.transforms.decoded_video import (
    DecodedVideo, DecodedVideoCache)


def _videos(synthetic_videos):
    return sorted(
        glob.glob(osp.join(synthetic_videos['video_dir'], '**', '*.mp4'),
                  recursive=True))


def _decode(init, decode, filename, inds):
    results = init(dict(filename=filename))
    results['frame_inds'] = np.asarray(inds)
    return results['total_frames'], np.stack(decode(results)['imgs'])


@pytest.mark.parametrize('inds', [[0], [23], [5, 6, 7, 8], [3, 3, 20, 1]])
def test_cached_frames_equal_decords(synthetic_videos, inds):
    decode = CheckedDecordDecode()
    plain, cached = CheckedDecordInit(), CheckedDecordInit(cache_bytes=2**26)
    for filename in _videos(synthetic_videos)[:3]:
        total, expected = _decode(plain, decode, filename, inds)
        for _ in range(2):  # a miss, then a hit
            assert _decode(cached, decode, filename, inds)[0] == total == 24
            got = _decode(cached, decode, filename, inds)[1]
            assert got.dtype == np.uint8 and got.shape == (len(inds), 32,
                                                           32, 3)
            np.testing.assert_array_equal(got, expected)
    assert cached.cache.misses == 3 and cached.cache.hits == 9
    assert len(cached.cache) == 3 and cached.cache.nbytes == 3 * 24 * 32 * \
        32 * 3


def test_a_sample_cannot_alter_the_cached_frames(synthetic_videos):
    init = CheckedDecordInit(cache_bytes=2**26)
    filename = _videos(synthetic_videos)[0]
    results = init(dict(filename=filename))
    results['frame_inds'] = np.array([4])
    CheckedDecordDecode()(results)['imgs'][0][:] = 0  # e.g. an in-place Flip
    video = init.cache.get(filename, decode=None)
    assert video.frames[4].any()
    with pytest.raises(ValueError, match='read-only'):
        video.frames[0, 0, 0, 0] = 1


def test_cache_drops_the_least_recently_used_video():
    def video(value, frames=2):
        return DecodedVideo(np.full((frames, 4, 4, 3), value, np.uint8), 25.)

    cache = DecodedVideoCache(max_bytes=2 * 2 * 48)  # two 2-frame videos
    cache.get('a', lambda: video(1))
    cache.get('b', lambda: video(2))
    cache.get('a', lambda: video(9))  # hit: 'a' is now the most recent
    cache.get('c', lambda: video(3))  # drops 'b'
    assert cache.get('a', lambda: video(9)).frames[0, 0, 0, 0] == 1
    assert cache.get('b', lambda: video(8)).frames[0, 0, 0, 0] == 8
    assert (cache.hits, cache.misses, len(cache)) == (2, 4, 2)
    assert cache.nbytes == 2 * 2 * 48
    big = cache.get('big', lambda: video(5, frames=5))  # over the budget
    assert big.frames[0, 0, 0, 0] == 5 and len(cache) == 2
    with pytest.raises(ValueError, match='>= 0 bytes'):
        DecodedVideoCache(-1)


def test_decoded_video_reads_as_decord():
    frames = np.arange(3 * 2 * 2 * 3, dtype=np.uint8).reshape(3, 2, 2, 3)
    video = DecodedVideo(frames, fps=30.0)
    assert len(video) == 3 and video.get_avg_fps() == 30.0
    np.testing.assert_array_equal(video.get_batch([2, 0]).asnumpy(),
                                  frames[[2, 0]])
    with pytest.raises(IndexError, match=r'\[1, 3\] out of range for a '
                       'video of 3 frames'):
        video.get_batch([1, 3])


def test_a_missing_file_is_named_with_the_cache(tmp_path):
    with pytest.raises(VideoReadError,
                       match='video file not found: .*absent.mp4'):
        CheckedDecordInit(cache_bytes=2**20)(
            dict(filename=str(tmp_path / 'absent.mp4')))


def test_a_video_over_the_budget_is_read_without_decoding_it_whole(
        synthetic_videos):
    init = CheckedDecordInit(cache_bytes=1000)  # a video is 73,728 bytes
    filename = _videos(synthetic_videos)[0]
    results = init(dict(filename=filename))
    assert not isinstance(results['video_reader'], DecodedVideo)
    assert len(init.cache) == 0 and init.cache.misses == 0
    _, expected = _decode(CheckedDecordInit(), CheckedDecordDecode(),
                          filename, [2, 9])
    np.testing.assert_array_equal(
        _decode(init, CheckedDecordDecode(), filename, [2, 9])[1], expected)
    # Its size is measured once: later samples open it and read only theirs.
    assert init.over_budget == {filename}
    init(dict(filename=filename))
    assert init.over_budget == {filename} and len(init.cache) == 0
