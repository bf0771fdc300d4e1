"""kill -9 and resume, and a NaN teacher, on the shipped synthetic config.

tools/train.py on configs/synthetic/hallucinet_r18_synthetic.py at a tiny
size (see training_runs.py): 2 epochs of 2 iterations, validation after
each, one persistent worker per loader, the config's dropout (0.2) and
random frame choice, ``--seed 0 --deterministic``.
"""
import os
import shutil

import pytest
import torch

from hallucinet_mm.compat import safe_torch_load
from tests.reliability.training_runs import (BackgroundTraining, save_teacher,
                                             train, train_until)

EPOCHS = 2


@pytest.fixture(scope='module')
def teacher(tmp_path_factory):
    return save_teacher(tmp_path_factory.mktemp('teacher') / 't.pth')


@pytest.fixture(scope='module')
def uninterrupted(tmp_path_factory, synthetic_videos, teacher):
    """The work dir of an uninterrupted run; call it to wait for the run,
    which goes on in the background meanwhile."""
    work_dir = tmp_path_factory.mktemp('uninterrupted')
    run = BackgroundTraining(synthetic_videos, teacher, work_dir, EPOCHS)
    done = []

    def result():
        if not done:
            done.append(run.wait())
        return work_dir

    yield result
    run.stop()


def _state(path):
    return safe_torch_load(str(path))['state_dict']


def test_kill_9_mid_epoch_then_resume_is_bit_identical(tmp_path,
                                                       synthetic_videos,
                                                       teacher, uninterrupted):
    work_dir = tmp_path / 'killed'
    # Killed (with its workers) once epoch 2 has run an iteration.
    train_until(r'Epoch\(train\)\s+\[2\]\[1/2\]', synthetic_videos, teacher,
                work_dir, EPOCHS)
    assert not (work_dir / 'epoch_2.pth').exists()
    out = train(synthetic_videos, teacher, work_dir, EPOCHS, resume=True)
    assert 'resumed epoch: 1' in out
    expected = _state(uninterrupted() / f'epoch_{EPOCHS}.pth')
    resumed = _state(work_dir / f'epoch_{EPOCHS}.pth')
    assert expected.keys() == resumed.keys()
    differ = [k for k in expected if not torch.equal(expected[k], resumed[k])]
    assert not differ, differ


def test_a_nan_teacher_never_reaches_a_checkpoint(tmp_path, synthetic_videos,
                                                  uninterrupted):
    """Resume a good (moved) work dir on a NaN teacher: nothing is lost."""
    work_dir = tmp_path / 'moved'
    shutil.copytree(uninterrupted(), work_dir)
    before = {
        f: (work_dir / f).read_bytes()
        for f in os.listdir(work_dir) if f.endswith('.pth')
    }
    assert sorted(before) == ['epoch_1.pth', 'epoch_2.pth']
    nan_teacher = save_teacher(tmp_path / 'nan_teacher.pth', nan=True)
    with pytest.raises(AssertionError) as err:
        train(synthetic_videos, nan_teacher, work_dir, EPOCHS + 2, resume=True)
    message = str(err.value)
    assert 'resumed epoch: 2' in message  # the relative record was followed
    assert 'NonFiniteError' in message
    assert f'features of the teacher (checkpoint {nan_teacher})' in message
    after = {
        f: (work_dir / f).read_bytes()
        for f in os.listdir(work_dir) if f.endswith('.pth')
    }
    assert after == before  # no epoch_3.pth, and nothing rotated away
    assert (work_dir / 'last_checkpoint').read_text() == 'epoch_2.pth'
