"""Bad data fields in configs: each error names the field or the file.

Kinds tried here: ``min_teacher_frames=0``, an unknown ``frame_source``,
``data_prefix`` without ``video`` (MTL-AQA), ``multi_class`` for MTL-AQA,
an ``ann_file`` that does not exist, a ``data_prefix`` pointing at the
wrong folder, and the shipped UCF-101 config given a list whose label is
beyond its head (caught at load time when the config passes
``num_classes``, else by the check against the head).
"""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope

import hallucinet_mm  # noqa: F401  (registers everything)
from hallucinet_mm.datasets.checked_datasets import AnnotationError
from hallucinet_mm.datasets.label_range import check_label_range
from mmaction.registry import DATASETS, TRANSFORMS
from bad_input_helpers import write_lines

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(autouse=True)
def mmaction_scope():
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield


@pytest.mark.parametrize('transform', ['CheckedDecordDecode',
                                       'CheckedRawFrameDecode'])
def test_min_teacher_frames_below_one(transform):
    with pytest.raises(ValueError, match='min_teacher_frames must be >= 1'):
        TRANSFORMS.build(dict(type=transform, min_teacher_frames=0))


@pytest.mark.parametrize('field, expected', [
    (dict(frame_source='mp4'), "frame_source must be 'rawframes' or"),
    (dict(data_prefix=dict(img='frames')), 'data_prefix must have a `video`'),
    (dict(multi_class=True), 'multi_class is not supported'),
])
def test_mtl_aqa_field_is_named(tmp_path, field, expected):
    cfg = dict(type='MTLAQADataset', ann_file=str(tmp_path / 'split.pkl'),
               annotation_file=str(tmp_path / 'ann.pkl'), pipeline=[],
               data_prefix=dict(video=str(tmp_path)))
    cfg.update(field)
    with pytest.raises(ValueError, match=expected):
        DATASETS.build(cfg)


def test_ann_file_that_does_not_exist(tmp_path):
    missing = str(tmp_path / 'lists' / 'train.txt')
    with pytest.raises(FileNotFoundError, match=missing):
        DATASETS.build(
            dict(type='CheckedVideoDataset', ann_file=missing, pipeline=[],
                 data_prefix=dict(video=str(tmp_path))))


def test_data_prefix_pointing_at_the_wrong_folder(tmp_path):
    ann = write_lines(tmp_path / 'train.txt',
                      [f'v_{i}.mp4 {i % 3}' for i in range(8)])
    with pytest.raises(FileNotFoundError) as info:
        DATASETS.build(
            dict(type='CheckedVideoDataset', ann_file=ann, pipeline=[],
                 data_prefix=dict(video=str(tmp_path / 'wrong'))))
    msg = str(info.value)
    assert msg.startswith(f'{ann}: 8 filename entries do not exist: ')
    assert str(tmp_path / 'wrong' / 'v_0.mp4') in msg
    assert 'and 3 more' in msg


def test_shipped_config_refuses_label_beyond_its_head(tmp_path):
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'hallucinet_vgg11_ucf.py'))
    num_classes = cfg.model.cls_head.num_classes
    ann = write_lines(tmp_path / 'train.txt',
                      ['v_a.avi 0', f'v_b.avi {num_classes}'])
    dataset_cfg = cfg.train_dataloader.dataset.copy()
    dataset_cfg.update(ann_file=ann, data_root=None, check_files=False,
                       data_prefix=dict(video=str(tmp_path)))
    with pytest.raises(AnnotationError,
                       match=f'^{ann}:2: label {num_classes} outside'):
        dataset = DATASETS.build(dataset_cfg)  # with num_classes: here
        check_label_range(dataset, num_classes)  # without: the head check
