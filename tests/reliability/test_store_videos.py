"""A store knows its videos; rank 0's wait for shards ends, naming them."""
import pytest

from hallucinet_mm.datasets.checked_datasets import CheckedVideoDataset
from hallucinet_mm.utils.video_fingerprints import fingerprint
from hallucinet_mm.store.format import FeatureStoreMismatchError
from hallucinet_mm.store.reader import TeacherFeatureStore
from hallucinet_mm.store.shards import shard_bounds, wait_for_shards
from bad_input_helpers import tiny_video, write_lines


def _dataset(root, seed):
    videos = root / 'videos'
    videos.mkdir(parents=True)
    for i in range(2):
        tiny_video(videos / f'v{i}.mp4', num_frames=4, seed=seed + i)
    ann = write_lines(root / 'train.txt', ['v0.mp4 0', 'v1.mp4 1'])
    return CheckedVideoDataset(ann_file=ann, pipeline=[],
                               data_prefix=dict(video=str(videos)))


def _store_of(dataset):
    """What extraction records for ``dataset`` (keys, prefix, videos)."""
    store = object.__new__(TeacherFeatureStore)
    store.path = '/stores/train'
    store.manifest = dict(num_samples=len(dataset),
                          data_prefix=dataset.data_prefix)
    store.keys = ['v0.mp4', 'v1.mp4']
    store.videos = [
        fingerprint(dataset.get_data_info(i)['filename'])
        for i in range(len(dataset))
    ]
    return store


def test_store_of_other_videos_with_the_same_names_is_refused(tmp_path):
    extracted = _dataset(tmp_path / 'a', seed=0)
    store = _store_of(extracted)
    assert store.check_videos(extracted, full=True) == 2
    regenerated = _dataset(tmp_path / 'b', seed=10)  # other seed, same names
    with pytest.raises(FeatureStoreMismatchError) as err:
        store.check_videos(regenerated)
    msg = str(err.value)
    assert "'/stores/train'" in msg and f'{tmp_path}/b/train.txt' in msg
    assert 'data_prefix' in msg and 'v0.mp4 size' in msg
    regenerated.data_prefix = extracted.data_prefix  # same prefix now
    store.manifest['data_prefix'] = regenerated.data_prefix
    store.videos[0]['size'] += 1
    with pytest.raises(FeatureStoreMismatchError, match='v0.mp4 size'):
        store.check_videos(extracted)


def test_store_without_fingerprints_is_refused(tmp_path):
    dataset = _dataset(tmp_path, seed=0)
    store = _store_of(dataset)
    store.videos = None
    with pytest.raises(FeatureStoreMismatchError,
                       match='records no video fingerprints'):
        store.check_videos(dataset)


def test_rank0_wait_times_out_naming_missing_shards(tmp_path):
    with pytest.raises(TimeoutError) as err:
        wait_for_shards(str(tmp_path), shard_bounds(5, 2), wait_s=0.01,
                        timeout_s=0.05, world_size=2)
    msg = str(err.value)
    assert 'shard_00000.npy (rank 0), shard_00001.npy (rank 1), ' \
        'shard_00002.npy (rank 0)' in msg
