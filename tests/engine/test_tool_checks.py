"""tools/train.py and tools/test.py refuse what MMEngine lets pass silently.

A checkpoint that does not match the test model, a top-level
``--cfg-options`` typo, and ``--resume`` with nothing to resume.
"""
import re
import sys

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config

from hallucinet_mm.engine.checkpoint_files import check_checkpoint_matches
from hallucinet_mm.engine.tool_cfg import (UnknownConfigKeyError,
                                           add_reliability_hooks)
from tests.reliability.training_runs import CONFIG, save_teacher
from tools import test as test_tool
from tools import train as train_tool


def _merged(tool, monkeypatch, *argv):
    monkeypatch.setattr(sys, 'argv', [tool.__file__, CONFIG, *argv])
    return tool.merge_args(Config.fromfile(CONFIG), tool.parse_args())


@pytest.mark.parametrize('tool, argv', [(train_tool, []),
                                        (test_tool, ['ckpt.pth'])])
def test_a_top_level_cfg_options_typo_is_named(tool, argv, monkeypatch):
    with pytest.raises(UnknownConfigKeyError) as err:
        _merged(tool, monkeypatch, *argv, '--cfg-options',
                'train_cfg.max_epochs=2', 'modle.teacher.checkpoint=t.pth')
    assert str(err.value) == (
        f"--cfg-options modle.teacher.checkpoint=t.pth: 'modle' is not a key "
        f"of {CONFIG} nor a Runner argument (did you mean 'model'?)")


def test_known_keys_and_runner_arguments_pass(tmp_path, monkeypatch):
    cfg = _merged(train_tool, monkeypatch, '--work-dir', str(tmp_path),
                  '--cfg-options', 'model.teacher.checkpoint=t.pth',
                  'randomness.seed=3', 'experiment_name=x',
                  'train_dataloader.dataset.indices=4')
    assert cfg.model.teacher.checkpoint == 't.pth'
    assert cfg.randomness.seed == 3 and cfg.experiment_name == 'x'
    types = [h['type'] for h in cfg.custom_hooks]
    assert 'FiniteCheckHook' in types and 'RNGStateHook' in types
    assert cfg.default_hooks.checkpoint.type == 'AtomicCheckpointHook'


def test_resume_with_an_empty_work_dir_fails(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError) as err:
        _merged(train_tool, monkeypatch, '--work-dir', str(tmp_path),
                '--resume')
    assert f'{tmp_path}/last_checkpoint does not exist' in str(err.value)
    assert 'no checkpoint to resume from' in str(err.value)
    with pytest.raises(FileNotFoundError,
                       match=f'checkpoint {tmp_path}/e.pth does not exist'):
        _merged(train_tool, monkeypatch, '--work-dir', str(tmp_path),
                '--resume', f'{tmp_path}/e.pth')


def test_resume_with_a_dangling_record_fails(tmp_path, monkeypatch):
    (tmp_path / 'last_checkpoint').write_text('epoch_3.pth')
    with pytest.raises(FileNotFoundError,
                       match=f"names 'epoch_3.pth', but {tmp_path}/epoch_3"):
        _merged(train_tool, monkeypatch, '--work-dir', str(tmp_path),
                '--resume')


def test_hooks_a_config_lacks_are_added():
    cfg = Config(
        dict(custom_hooks=[dict(type='X')],
             default_hooks=dict(checkpoint=dict(type='CheckpointHook'))))
    assert add_reliability_hooks(cfg) == [
        'checkpoint hook -> AtomicCheckpointHook', 'added FiniteCheckHook',
        'added RNGStateHook', 'added CheckLabelRangeHook'
    ]
    assert add_reliability_hooks(cfg) == []  # idempotent


def test_test_tool_refuses_a_checkpoint_of_another_model(
        tmp_path, monkeypatch):
    """The teacher's checkpoint given as the student's, a real mistake."""
    teacher = save_teacher(tmp_path / 'teacher.pth')
    monkeypatch.setattr(sys, 'argv', [
        test_tool.__file__, CONFIG, teacher, '--work-dir',
        str(tmp_path), '--cfg-options', f'model.teacher.checkpoint={teacher}'
    ])
    with pytest.raises(ValueError) as err:
        test_tool.main()
    message = str(err.value)
    assert message.startswith(f'checkpoint {teacher} does not match the '
                              'model HalluciNetRecognizer')
    assert re.search(r"of the model's \d+ keys are missing: backbone.layer4",
                     message)
    assert 'backbone.conv1.conv.weight (16, 3, 3, 3, 3) vs (64, 3, 7, 7)' \
        in message


def test_check_checkpoint_matches(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': {**model.state_dict(), 'extra.w': 1}}, good)
    assert check_checkpoint_matches(model, str(good)) == ['extra.w']
    torch.save({'state_dict': {
        '0.weight': torch.zeros(3, 3)
    }}, tmp_path / 'bad.pth')
    with pytest.raises(ValueError) as err:
        check_checkpoint_matches(model, str(tmp_path / 'bad.pth'))
    assert ('3 of the model\'s 4 keys are missing: 0.bias, 1.weight, 1.bias'
            in str(err.value))
    assert 'shapes differ (checkpoint vs model): 0.weight (3, 3) vs (3, 2)' \
        in str(err.value)
    torch.save([1, 2], tmp_path / 'list.pth')
    with pytest.raises(ValueError,
                       match=f'checkpoint {tmp_path}/list.pth holds no '
                       'state dict'):
        check_checkpoint_matches(model, str(tmp_path / 'list.pth'))


def _former_ensure_label_range_hook(cfg):
    """The injector datasets/label_range.py had, written out."""
    hooks = list(cfg.get('custom_hooks', None) or [])
    if not any(h.get('type') == 'CheckLabelRangeHook' for h in hooks):
        hooks.append(dict(type='CheckLabelRangeHook'))
    cfg['custom_hooks'] = hooks


@pytest.mark.parametrize('custom_hooks', [
    None, [], [dict(type='X')], [dict(type='CheckLabelRangeHook')],
    [dict(type='X'), dict(type='CheckLabelRangeHook', priority='LOW')]
])
def test_one_injector_adds_what_the_former_one_did(custom_hooks):
    from hallucinet_mm.engine.tool_cfg import add_hooks
    former = Config(dict(custom_hooks=custom_hooks))
    _former_ensure_label_range_hook(former)
    cfg = Config(dict(custom_hooks=custom_hooks))
    added = add_hooks(cfg, ['CheckLabelRangeHook'])
    assert cfg['custom_hooks'] == former['custom_hooks']
    assert added == ([] if custom_hooks and any(
        h['type'] == 'CheckLabelRangeHook' for h in custom_hooks) else
                     ['added CheckLabelRangeHook'])
