"""No evaluation video enters training; an epoch has a full batch; a last
batch of 1 sample cannot happen with the shipped configs."""
import shutil
from types import SimpleNamespace
from unittest import mock

import pytest
import torch
from mmengine.config import Config

from hallucinet_mm.datasets.checked_datasets import CheckedVideoDataset
from hallucinet_mm.engine.hooks.training_data_hook import (
    CheckTrainingDataHook, check_no_overlap)
from bad_input_helpers import tiny_video, write_lines


def _list(tmp_path, name, videos):
    ann = write_lines(tmp_path / name, [f'{v} 0' for v in videos])
    return CheckedVideoDataset(ann_file=ann, pipeline=[],
                               data_prefix=dict(video=str(tmp_path)))


@pytest.fixture
def videos(tmp_path):
    for i in range(3):
        tiny_video(tmp_path / f'v{i}.mp4', num_frames=4, seed=i)
    return tmp_path


def test_eval_video_in_training_is_refused_by_path(videos):
    train = _list(videos, 'train.txt', ['v0.mp4', 'v1.mp4'])
    val = _list(videos, 'val.txt', ['v2.mp4', 'v1.mp4'])
    with pytest.raises(ValueError) as err:
        check_no_overlap(train, [('val', val)])
    msg = str(err.value)
    assert f'{videos}/v1.mp4 ({videos}/train.txt:2) is also a val sample ' \
        f'({videos}/val.txt:2): the same path' in msg
    assert 'allow_eval_videos_in_train = True' in msg


def test_eval_video_in_training_is_refused_by_content(videos):
    shutil.copy(videos / 'v2.mp4', videos / 'copy_of_test.mp4')
    train = _list(videos, 'unlabeled.txt', ['v0.mp4', 'copy_of_test.mp4'])
    test = _list(videos, 'test.txt', ['v2.mp4'])
    assert check_no_overlap(train, [('val', _list(videos, 'val.txt',
                                                  ['v1.mp4']))]) == 2
    with pytest.raises(ValueError, match=r'copy_of_test.mp4 \(.*unlabeled.'
                       r'txt:2\) is also a test sample \(.*test.txt:1\): the '
                       r'same content as .*v2.mp4 \(sha256 '):
        check_no_overlap(train, [('test', test)])


def _runner(dataset, batch_size, drop_last, sampler=None, **cfg):
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=batch_size, drop_last=drop_last,
        sampler=sampler, collate_fn=lambda b: b)
    return SimpleNamespace(train_dataloader=loader, cfg=Config(cfg),
                           logger=mock.MagicMock())


def test_epoch_without_a_full_batch_is_refused(videos):
    train = _list(videos, 'train.txt', ['v0.mp4', 'v1.mp4', 'v2.mp4'])
    runner = _runner(train, 4, True, allow_eval_videos_in_train=True)
    with pytest.raises(ValueError, match=r'\(.*train.txt\) hold 3 samples, '
                       'fewer than one batch of 4 with drop_last'):
        CheckTrainingDataHook().before_train(runner)
    CheckTrainingDataHook().before_train(
        _runner(train, 2, True, allow_eval_videos_in_train=True))


def test_an_infinite_sampler_fills_batches_of_any_list(videos):
    """Iteration-based training (the main job's students) repeats a short
    list: 3 samples still make full batches of 4."""
    from mmengine.dataset import InfiniteSampler
    train = _list(videos, 'train.txt', ['v0.mp4', 'v1.mp4', 'v2.mp4'])
    runner = _runner(train, 4, True, sampler=InfiniteSampler(train),
                     allow_eval_videos_in_train=True)
    assert len(runner.train_dataloader) == 0  # what MMEngine reports
    CheckTrainingDataHook().before_train(runner)


@pytest.mark.parametrize('config', [
    'configs/_base_/datasets/ucf101_single_frame.py',
    'configs/_base_/datasets/synthetic_motion.py',
    'configs/_base_/datasets/mtl_aqa_dives.py',
    'configs/synthetic/hallucinet_r18_r3d18-tiny_1xb4-1x12x3-2e_'
    'synthetic-mtl-aqa-dive.py',
])
def test_shipped_train_loaders_leave_no_batch_of_one(config):
    """13 videos, batch 4 crashed BatchNorm at the last step of epoch 1:
    with drop_last the last batch of 1 is not formed."""
    cfg = Config.fromfile(config)
    assert cfg.train_dataloader.drop_last is True
    assert not cfg.val_dataloader.get('drop_last', False)
    for num, batch in ((13, 4), (9, 8), (26, 25)):  # each leaves 1 sample
        loader = torch.utils.data.DataLoader(
            list(range(num)), batch_size=batch,
            drop_last=cfg.train_dataloader.drop_last)
        assert min(len(b) for b in loader) == batch


def test_a_missing_eval_list_is_named_and_skipped(videos):
    train = _list(videos, 'train.txt', ['v0.mp4', 'v1.mp4'])
    runner = _runner(train, 1, True, test_dataloader=dict(dataset=dict(
        type='CheckedVideoDataset', ann_file=str(videos / 'absent.txt'),
        data_prefix=dict(video=str(videos)), pipeline=[])))
    CheckTrainingDataHook().before_train(runner)
    warning = runner.logger.warning.call_args.args[0]
    assert warning.startswith('training is not checked against the test '
                              'list') and 'absent.txt' in warning
