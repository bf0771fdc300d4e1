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


@pytest.fixture(scope='session')
def store_setup(synthetic_videos, tmp_path_factory):
    """Two teacher checkpoints, and float32 / float16 stores of the first.

    Shared by the tests of hallucinet_mm/store and of the transform that
    reads a store (do not modify them: copy a store into ``tmp_path``
    first).
    """
    from tests.store.helpers import extract, make_teacher_ckpt
    tmp = tmp_path_factory.mktemp('teacher_store')
    ckpt = make_teacher_ckpt(str(tmp / 'teacher.pth'), seed=0)
    other = make_teacher_ckpt(str(tmp / 'other.pth'), seed=1)
    stores = {}
    for dtype in ('float32', 'float16'):
        out = str(tmp / f'store_{dtype}')
        extract(synthetic_videos, ckpt, out, dtype=dtype, shard_size=4)
        stores[dtype] = out
    return dict(
        videos=synthetic_videos, ckpt=ckpt, other=other, stores=stores)
