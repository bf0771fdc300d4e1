"""hallucinet_mm.deployment.config_videos on the tiny student's config."""
import os.path as osp

import pytest
from mmengine.config import Config

from hallucinet_mm.deployment.config_videos import split_infos


def test_split_infos_in_list_order_and_limited(tiny_student):
    cfg = Config.fromfile(tiny_student['config'])
    infos = split_infos(cfg, 'train')
    assert [osp.basename(i['filename']) for i in infos] == [
        'carphone_pristine.mp4', 'carphone_distorted.mp4'
    ]
    assert [i['label'] for i in infos] == [1, 2]
    assert len(split_infos(cfg, 'train', limit=1)) == 1
    assert split_infos(cfg, 'test')[0]['filename'] == tiny_student['video']


def test_split_infos_errors_name_the_split(tiny_student, tmp_path):
    cfg = Config.fromfile(tiny_student['config'])
    with pytest.raises(KeyError, match="unknown split 'calib'"):
        split_infos(cfg, 'calib')
    with pytest.raises(KeyError, match='tiny_student.py has no '
                       'val_dataloader.dataset'):
        split_infos(cfg, 'val')
    empty = tmp_path / 'empty.txt'
    empty.write_text('\n')
    cfg.train_dataloader.dataset.ann_file = str(empty)
    with pytest.raises(ValueError, match='train split .* lists no videos'):
        split_infos(cfg, 'train')


def test_wrapped_datasets_lose_their_pipelines(tiny_student):
    cfg = Config.fromfile(tiny_student['config'])
    inner = cfg.train_dataloader.dataset
    cfg.train_dataloader.dataset = dict(
        type='ConcatDataset',
        datasets=[inner, dict(type='RepeatDataset', times=2, dataset=inner)])
    infos = split_infos(cfg, 'train')
    assert len(infos) == 6
    assert infos[2]['filename'] == infos[0]['filename']
