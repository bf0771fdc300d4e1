# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Fixtures of the config tests: the data and the teacher checkpoints the
shipped configs are pointed at (videos: ``synthetic_videos`` of
tests/conftest.py)."""
import pytest
from mmengine.registry import init_default_scope

from config_fixtures import TeacherCheckpoints


@pytest.fixture(autouse=True)
def mmaction_scope():
    init_default_scope('mmaction')


@pytest.fixture(scope='session')
def mtl_aqa_data(tmp_path_factory):
    """Synthetic MTL-AQA frames (8 dives of 40-50 frames, 32x32)."""
    from tools.data.make_synthetic_mtl_aqa import make_synthetic_mtl_aqa
    return make_synthetic_mtl_aqa(
        str(tmp_path_factory.mktemp('cfg_mtl_aqa')),
        frames_per_dive=(40, 50),
        seed=0)


@pytest.fixture(scope='session')
def unlabeled_ann(tmp_path_factory, synthetic_videos):
    """The training videos as an unlabeled list (one path per line)."""
    with open(synthetic_videos['train_ann']) as f:
        paths = [line.split()[0] for line in f if line.strip()]
    out = tmp_path_factory.mktemp('cfg_unlabeled') / 'unlabeled.txt'
    out.write_text('\n'.join(paths) + '\n')
    return str(out)


@pytest.fixture(scope='session')
def teacher_ckpts(tmp_path_factory):
    init_default_scope('mmaction')
    return TeacherCheckpoints(str(tmp_path_factory.mktemp('cfg_teachers')))
