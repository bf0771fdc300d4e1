# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The mmengine 0.10.7 inheritance rules the shared bases are built on."""
import os.path as osp

from config_fixtures import CONFIG_DIR, load
from mmengine.config import Config

WIRING = osp.join(CONFIG_DIR, '_base_/models/hallucinet_vgg11_resnext101.py')
UCF = 'ucf101/hallucinet-{}_vgg11bn_resnext101-k400_1xb25-{}-50e_ucf101.py'
DIVE = 'mtl_aqa/hallucinet-{}_vgg11bn_resnext101-k400_1xb8-{}-20e_' \
    'mtl-aqa-dive.py'
#: Each two-frame config and the one-frame config it inherits.
TWO_FRAME = {
    UCF.format('2f', '2x3x1'): UCF.format('1f', '1x1x1'),
    DIVE.format('2f', '2x3x6'): DIVE.format('1f', '1x16x6'),
}


def _child(tmp_path, body):
    path = tmp_path / 'child.py'
    path.write_text(f'_base_ = [{WIRING!r}]\n' + body)
    return Config.fromfile(str(path))


def test_a_redefined_variable_does_not_reach_the_bases_dicts(tmp_path):
    """A base is read before its child: the child overrides named fields."""
    cfg = _child(tmp_path, 'student_feat_dim = 1280\n')
    assert cfg.student_feat_dim == 1280
    assert cfg.model.hallu_head.in_channels == 512
    cfg = _child(tmp_path, 'model = dict(hallu_head=dict(in_channels=1280))')
    assert cfg.model.hallu_head.in_channels == 1280
    assert cfg.model.hallu_head.out_channels == 2048  # merged, not replaced


def test_base_values_in_python_expressions(tmp_path):
    """`_base_.x` is a value in the child's code (`{{_base_.x}}` is text)."""
    cfg = _child(tmp_path, 'width = 2 * _base_.student_feat_dim\n'
                 "crop = dict(_base_.teacher, tap='neck')\n")
    assert cfg.width == 1024
    assert cfg.crop.tap == 'neck' and cfg.teacher.tap == 'backbone'


def test_two_frame_configs_swap_only_the_sampler():
    for name, one_frame in TWO_FRAME.items():
        cfg, base = load(name), load(one_frame)
        assert cfg.model.cls_head.in_channels == 1024
        assert cfg.model.hallu_head.in_channels == 1024
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader'):
            pairs, singles = (cfg[loader].dataset.pipeline,
                              base[loader].dataset.pipeline)
            assert len(pairs) == len(singles)
            for pair, single in zip(pairs, singles):
                if 'Sampler' in pair['type']:
                    assert pair.pop('pair_offset') == 3
                    pair.pop('type'), single.pop('type')
                assert pair == single, (name, loader)
