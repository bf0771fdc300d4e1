"""Puts the repository root on sys.path so tests can import ``tools``."""
import os.path as osp
import sys

_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import pytest  # noqa: E402


@pytest.fixture(scope='session')
def synthetic_videos(tmp_path_factory):
    """A tiny synthetic motion dataset, shared by the whole session.

    6 classes, 4 train and 2 val videos per class, 24 frames of 32x32 px
    (decord misreads some widths, 32 is safe), with rawframes. Returns the
    dict of ``make_synthetic_dataset``. Do not modify its files; copy them
    into ``tmp_path`` first.
    """
    from tools.data.make_synthetic_videos import make_synthetic_dataset
    return make_synthetic_dataset(
        str(tmp_path_factory.mktemp('synthetic_videos')), num_classes=6,
        videos_per_class_train=4, videos_per_class_val=2, num_frames=24,
        height=32, width=32, seed=0, rawframes=True)
