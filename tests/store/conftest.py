# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Stores shared by the tests of hallucinet_mm/store (do not modify them:
copy a store into ``tmp_path`` first)."""
import pytest

from tests.store.helpers import extract, make_teacher_ckpt


@pytest.fixture(scope='session')
def store_setup(synthetic_videos, tmp_path_factory):
    """Two teacher checkpoints, and float32 / float16 stores of the first.
    """
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
