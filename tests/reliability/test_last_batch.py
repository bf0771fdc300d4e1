"""A training list leaving 1 sample in the last batch (13 videos, batch 4).

It crashed BatchNorm at the last step of epoch 1 ("Expected more than 1
value per channel"); the shipped loaders drop that batch, and a run that
fails mid-epoch says where it stopped and what was saved.
"""
import os.path as osp
from types import SimpleNamespace

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from hallucinet_mm.engine.train_checks import describe_failure
from bad_input_helpers import write_lines

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
VANILLA = osp.join(ROOT, 'configs/synthetic/vanilla_r18_synthetic.py')


def _runner(synthetic_videos, tmp_path, drop_last):
    with open(synthetic_videos['train_ann']) as f:
        lines = [line.strip() for line in f][:13]
    cfg = Config.fromfile(VANILLA)
    cfg.merge_from_dict({
        'train_dataloader.dataset.ann_file':
        write_lines(tmp_path / 'train13.txt', lines),
        'train_dataloader.dataset.data_prefix.video':
        synthetic_videos['video_dir'],
        'train_dataloader.batch_size': 4,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_dataloader.drop_last': drop_last,
        'train_cfg.max_epochs': 1,
        'default_hooks.checkpoint': None,
        'custom_hooks': [],
    })
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.test_cfg = cfg.test_dataloader = cfg.test_evaluator = None
    cfg.work_dir = str(tmp_path / f'work_{drop_last}')
    return Runner.from_cfg(cfg)


def test_last_batch_of_one_is_dropped_by_the_shipped_config(
        synthetic_videos, tmp_path):
    assert Config.fromfile(VANILLA).train_dataloader.drop_last is True
    runner = _runner(synthetic_videos, tmp_path, drop_last=True)
    runner.train()
    assert runner.iter == 3  # 13 // 4 full batches


def test_without_drop_last_it_crashes_and_says_where(synthetic_videos,
                                                     tmp_path):
    runner = _runner(synthetic_videos, tmp_path, drop_last=False)
    with pytest.raises(ValueError, match='Expected more than 1 value per '
                       'channel'):
        runner.train()
    msg = describe_failure(runner, 'vanilla.py')
    assert msg.startswith('vanilla.py: training FAILED at epoch 1, '
                          'iteration 4 of 4 (global iteration 4)')
    assert 'no checkpoint of this run was saved' in msg


def test_failure_names_the_last_checkpoint(tmp_path):
    (tmp_path / 'last_checkpoint').write_text('epoch_2.pth')
    loop = SimpleNamespace(_max_epochs=5, epoch=2, iter=7,
                           dataloader=[0, 1, 2])
    runner = SimpleNamespace(_train_loop=loop, work_dir=str(tmp_path),
                             log_dir=str(tmp_path / 'log'))
    msg = describe_failure(runner, 'c.py')
    assert 'epoch 3, iteration 2 of 3 (global iteration 8)' in msg
    assert 'the last checkpoint is epoch_2.pth (resume with --resume)' in msg
