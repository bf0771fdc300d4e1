"""AtomicCheckpointHook: tmp-then-rename writes, late rotation, relative record."""
import errno
import os
import shutil

import pytest
from mmengine.fileio.backends.local_backend import LocalBackend

from hallucinet_mm.compat import safe_torch_load
from hallucinet_mm.engine.checkpoint_files import find_resume_checkpoint
from tests.engine.hooks.toy_runner import toy_runner


def _files(work_dir):
    return sorted(f for f in os.listdir(work_dir) if 'pth' in f)


def test_rotation_keeps_the_newest_and_records_a_relative_path(tmp_path):
    toy_runner(tmp_path, max_epochs=3, num_workers=0, max_keep_ckpts=2).train()
    assert _files(tmp_path) == ['epoch_2.pth', 'epoch_3.pth']
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_3.pth'


def test_a_moved_work_dir_resumes(tmp_path):
    toy_runner(tmp_path / 'a', max_epochs=1, num_workers=0).train()
    shutil.move(str(tmp_path / 'a'), str(tmp_path / 'b'))
    assert find_resume_checkpoint(str(tmp_path / 'b')) == str(tmp_path / 'b' /
                                                              'epoch_1.pth')
    runner = toy_runner(tmp_path / 'b',
                        max_epochs=2,
                        resume=True,
                        num_workers=0)
    runner.train()
    assert runner.epoch == 2
    assert safe_torch_load(str(tmp_path / 'b' /
                               'epoch_2.pth'))['meta']['epoch'] == 2


def test_an_absolute_record_of_a_moved_work_dir_falls_back(tmp_path):
    """A work dir written by plain MMEngine (absolute record), then moved."""
    (tmp_path / 'epoch_4.pth').write_bytes(b'x')
    (tmp_path / 'last_checkpoint').write_text('/gone/run/epoch_4.pth')
    assert find_resume_checkpoint(str(tmp_path)) == str(tmp_path /
                                                        'epoch_4.pth')


def test_a_full_disk_loses_no_checkpoint(tmp_path, monkeypatch):
    toy_runner(tmp_path, max_epochs=1, num_workers=0, max_keep_ckpts=1).train()
    good = (tmp_path / 'epoch_1.pth').read_bytes()

    def half_then_full(self, obj, filepath):
        with open(filepath, 'wb') as f:
            f.write(obj[:len(obj) // 2])
        raise OSError(errno.ENOSPC, 'No space left on device', filepath)

    monkeypatch.setattr(LocalBackend, 'put', half_then_full)
    runner = toy_runner(tmp_path,
                        max_epochs=2,
                        resume=True,
                        num_workers=0,
                        max_keep_ckpts=1)
    with pytest.raises(OSError, match='No space left'):
        runner.train()
    # MMEngine would have deleted epoch_1.pth first and left a truncated
    # epoch_2.pth under its final name.
    assert _files(tmp_path) == ['epoch_1.pth']
    assert (tmp_path / 'epoch_1.pth').read_bytes() == good
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_1.pth'


def test_the_best_checkpoint_is_written_atomically_too(tmp_path):
    runner = toy_runner(tmp_path,
                        max_epochs=2,
                        num_workers=0,
                        validate=True,
                        save_best='score',
                        rule='less',
                        max_keep_ckpts=1)
    runner.train()
    files = [f for f in os.listdir(tmp_path) if 'pth' in f]
    best = [f for f in files if f.startswith('best_score_epoch_')]
    assert len(best) == 1 and 'epoch_2.pth' in files
    assert not [f for f in files if f.endswith('.tmp')]
    assert 'save_checkpoint' not in vars(runner)  # the routing was undone
    assert safe_torch_load(str(tmp_path / best[0]))['meta']['epoch'] in (1, 2)


def test_a_stray_tmp_file_of_a_killed_write_is_removed(tmp_path):
    toy_runner(tmp_path, max_epochs=1, num_workers=0).train()
    (tmp_path / '.epoch_2.pth.tmp').write_bytes(b'half a checkpoint')
    toy_runner(tmp_path, max_epochs=2, resume=True, num_workers=0).train()
    assert _files(tmp_path) == ['epoch_1.pth', 'epoch_2.pth']
