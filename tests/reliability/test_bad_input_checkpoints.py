"""Bad checkpoints: each error names the path and leaves the file alone.

Kinds tried here (through mmengine's loader, which ``hallucinet_mm.compat``
replaces for local files): a zero-byte file, a text file, an HTML page
saved under a ``.pth`` name, a truncated zip checkpoint (a student cut
short), a truncated legacy (non-zip) checkpoint, a zip header followed by
garbage, and a truncated ``load_from`` given to a Runner.
"""
import os

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint, save_checkpoint

import hallucinet_mm  # noqa: F401  (replaces the local checkpoint loader)
from hallucinet_mm.compat import CheckpointReadError
from bad_input_helpers import digest, truncate


class _Student(BaseModel):
    """A one-layer model standing in for a student."""

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(64, 8)

    def forward(self, inputs=None, data_samples=None, mode='tensor'):
        raise AssertionError('no iteration may run')


def _student_ckpt(path, legacy=False):
    if legacy:
        torch.save({'state_dict': _Student().state_dict()}, str(path),
                   _use_new_zipfile_serialization=False)
    else:
        save_checkpoint({'state_dict': _Student().state_dict(),
                         'meta': dict(epoch=1)}, str(path))
    return str(path)


def _damaged(tmp_path, kind):
    path = tmp_path / f'{kind}.pth'
    if kind == 'zero-bytes':
        path.write_bytes(b'')
    elif kind == 'text':
        path.write_text('checkpoint: epoch_3.pth\n')
    elif kind == 'html':
        path.write_text('<!DOCTYPE html><html><body>404</body></html>')
    elif kind == 'truncated-zip':
        truncate(_student_ckpt(path), 0.6)
    elif kind == 'truncated-legacy':
        truncate(_student_ckpt(path, legacy=True), 0.5)
    else:  # a zip header, then garbage
        path.write_bytes(b'PK\x03\x04' + os.urandom(300))
    return str(path)


@pytest.mark.parametrize('kind, expected', [
    ('zero-bytes', 'is empty (0 bytes)'),
    ('text', 'is not a PyTorch checkpoint'),
    ('html', "starts with b'<!DOCTYPE"),
    ('truncated-zip', 'truncated or damaged'),
    ('truncated-legacy', 'truncated or damaged'),
    ('zip-garbage', 'truncated or damaged'),
])
def test_bad_checkpoint_names_the_path(tmp_path, kind, expected):
    path = _damaged(tmp_path, kind)
    before = digest(path)
    with pytest.raises(CheckpointReadError) as info:
        _load_checkpoint(path, map_location='cpu')
    assert repr(path) in str(info.value)
    assert expected in str(info.value)
    assert '\n' not in str(info.value)
    assert isinstance(info.value, OSError)
    assert digest(path) == before


def test_good_checkpoints_still_load(tmp_path):
    for legacy in (False, True):
        path = _student_ckpt(tmp_path / f'ok_{legacy}.pth', legacy=legacy)
        state = _load_checkpoint(path, map_location='cpu')['state_dict']
        assert state['fc.weight'].shape == (8, 64)


def test_truncated_load_from_stops_the_runner(tmp_path):
    path = _damaged(tmp_path, 'truncated-zip')
    runner = Runner(
        model=_Student(),
        work_dir=str(tmp_path / 'work'),
        train_dataloader=dict(
            dataset=[0, 1],
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=1,
            num_workers=0),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        load_from=path,
        default_scope='mmaction')
    with pytest.raises(CheckpointReadError, match=path):
        runner.train()
    assert not [n for n in os.listdir(runner.work_dir) if n.endswith('.pth')]
