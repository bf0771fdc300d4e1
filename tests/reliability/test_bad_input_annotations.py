"""Bad annotation lists and labels: each error names the file and line.

Kinds tried here: a video line without a label, a rawframe line without a
label, a label equal to ``num_classes``, a negative label, a label that is
no integer, an empty file, a blank file, a label beyond the model head when
the config passes no ``num_classes`` (caught before the first iteration),
a multi-class list whose class count differs from the head's, a listed
video that does not exist, a frame count that is no integer and a frame
folder that does not exist, rawframe videos shorter than the teacher
window (counted once) and below the minimum (refused).
"""
import os

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner

import hallucinet_mm  # noqa: F401  (registers datasets and hooks)
from hallucinet_mm.datasets.checked_datasets import (AnnotationError,
                                                     CheckedRawframeDataset,
                                                     CheckedVideoDataset)
from hallucinet_mm.datasets.label_range import check_label_range
from hallucinet_mm.engine.hooks import CheckLabelRangeHook
from hallucinet_mm.engine.tool_cfg import add_hooks
from bad_input_helpers import digest, write_lines


def _videos(ann, root, **kwargs):
    kwargs.setdefault('check_files', False)
    return CheckedVideoDataset(
        ann_file=ann, data_prefix=dict(video=str(root)), pipeline=[],
        **kwargs)


def _frames(ann, root, **kwargs):
    kwargs.setdefault('check_files', False)
    kwargs.setdefault('pipeline', [])
    return CheckedRawframeDataset(
        ann_file=ann, data_prefix=dict(img=str(root)), **kwargs)


@pytest.mark.parametrize('build, lines, bad_line, expected', [
    (_videos, ['a.mp4 0', 'b.mp4'], 2, 'no label'),
    (_frames, ['a 10 0', '', 'b 10'], 3, 'no label'),
    (_videos, ['a.mp4 0', 'b.mp4 1', 'c.mp4 6'], 3, 'label 6 outside [0, 6)'),
    (_videos, ['a.mp4 -1'], 1, 'label -1 outside'),
    (_videos, ['a.mp4 0', 'b.mp4 walking'], 2, 'labels must be integers'),
    (_frames, ['a ten 0'], 1, 'frame counts must be integers'),
],
                         ids=['video-no-label', 'rawframe-no-label',
                              'label-equals-num-classes', 'negative-label',
                              'label-not-int', 'frame-count-not-int'])
def test_bad_line_names_file_and_line(tmp_path, build, lines, bad_line,
                                      expected):
    ann = write_lines(tmp_path / 'list.txt', lines)
    before = digest(ann)
    with pytest.raises(AnnotationError) as info:
        build(ann, tmp_path, num_classes=6)
    assert str(info.value).startswith(f'{ann}:{bad_line}: ')
    assert expected in str(info.value)
    assert digest(ann) == before  # the list itself is left as it was


@pytest.mark.parametrize('content', ['', '\n   \n\n'],
                         ids=['empty-file', 'blank-file'])
@pytest.mark.parametrize('build', [_videos, _frames],
                         ids=['video', 'rawframe'])
def test_list_without_samples_names_file(tmp_path, content, build):
    ann = tmp_path / 'empty.txt'
    ann.write_text(content)
    with pytest.raises(AnnotationError, match=f'^{ann}: .*holds no samples'):
        build(str(ann), tmp_path)


def test_missing_listed_files_name_the_list(tmp_path):
    ann = write_lines(tmp_path / 'list.txt', ['gone.mp4 0'])
    with pytest.raises(FileNotFoundError) as info:
        _videos(ann, tmp_path, check_files=True)
    assert ann in str(info.value)
    assert str(tmp_path / 'gone.mp4') in str(info.value)
    ann = write_lines(tmp_path / 'frames.txt', ['no_dir 10 0'])
    with pytest.raises(FileNotFoundError, match='no_dir'):
        _frames(ann, tmp_path, check_files=True)


def test_label_beyond_head_without_num_classes(tmp_path):
    """The config passed no num_classes: the check against the head."""
    ann = write_lines(tmp_path / 'list.txt', ['a.mp4 0', 'b.mp4 9', 'c 7'])
    dataset = _videos(ann, tmp_path)  # loads: no num_classes to check
    with pytest.raises(AnnotationError) as info:
        check_label_range(dataset, 6)
    msg = str(info.value)
    assert msg.startswith(f'{ann}:2: label 9 outside [0, 6)')
    assert '2 label(s)' in msg
    assert check_label_range(dataset, 10) == 3


def test_multi_class_count_differs_from_head(tmp_path):
    ann = write_lines(tmp_path / 'list.txt', ['a.mp4 0 2'])
    dataset = _videos(ann, tmp_path, multi_class=True, num_classes=3)
    with pytest.raises(AnnotationError, match=f'^{ann}: .*num_classes=3'):
        check_label_range(dataset, 5)


class _ToyRecognizer(BaseModel):
    """Just enough model for a Runner: a cls_head with num_classes."""

    def __init__(self, num_classes):
        super().__init__()
        self.cls_head = torch.nn.Linear(2, num_classes)
        self.cls_head.num_classes = num_classes

    def forward(self, inputs=None, data_samples=None, mode='tensor'):
        raise AssertionError('no iteration may run')


def test_hook_stops_training_before_first_iteration(tmp_path):
    """A bad label stops the runner before any step or checkpoint."""
    ann = write_lines(tmp_path / 'train.txt', ['a.mp4 1', 'b.mp4 6'])
    work_dir = tmp_path / 'work'
    cfg = dict(
        model=_ToyRecognizer(6),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=_videos(ann, tmp_path),
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=1,
            num_workers=0),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        default_scope='mmaction',
        custom_hooks=[],
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
    )
    assert add_hooks(cfg, ['CheckLabelRangeHook']) == [
        'added CheckLabelRangeHook'
    ]
    assert add_hooks(cfg, ['CheckLabelRangeHook']) == []  # idempotent
    assert cfg['custom_hooks'] == [dict(type='CheckLabelRangeHook')]
    runner = Runner(**cfg)
    assert any(isinstance(h, CheckLabelRangeHook) for h in runner.hooks)
    with pytest.raises(AnnotationError, match=f'^{ann}:2: label 6'):
        runner.train()
    assert not [n for n in os.listdir(runner.work_dir) if n.endswith('.pth')]


def test_rawframe_lengths_against_the_teacher_window(tmp_path, monkeypatch):
    """Padded teacher clips are counted at load; too short is refused."""
    from hallucinet_mm.datasets import checked_datasets
    from hallucinet_mm.datasets.transforms import SingleFrameSampler
    from hallucinet_mm.datasets.transforms.checked_loading import \
        CheckedRawFrameDecode
    logged = []
    monkeypatch.setattr(checked_datasets, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    pipeline = [SingleFrameSampler(clip_len=16), CheckedRawFrameDecode()]
    ann = write_lines(tmp_path / 'frames.txt',
                      ['a 40 0', 'b 12 1', 'c 9 0', 'd 30 1'])
    assert len(_frames(ann, tmp_path, pipeline=pipeline)) == 4
    assert logged == [
        f'{ann}: 2 of 4 videos are shorter than the 16-frame teacher window '
        '(shortest: 9 frames, line 3); their teacher clips are padded by '
        'repeating the last frame'
    ]
    ann = write_lines(tmp_path / 'short.txt', ['a 40 0', 'b 7 1'])
    with pytest.raises(AnnotationError,
                       match=f'^{ann}:2: .*b has 7 frames, fewer than 8'):
        _frames(ann, tmp_path, pipeline=pipeline)
    # The minimum is the decoder's documented field.
    lenient = [SingleFrameSampler(clip_len=16),
               CheckedRawFrameDecode(min_teacher_frames=2)]
    assert len(_frames(ann, tmp_path, pipeline=lenient)) == 2
    # Without teacher clips nothing is padded, nothing is checked.
    student_only = [SingleFrameSampler(with_teacher=False)]
    assert len(_frames(ann, tmp_path, pipeline=student_only)) == 2
