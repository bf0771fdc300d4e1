"""UnlabeledVideoDataset and its mix with a labeled list."""
import pytest
from mmengine.registry import DefaultScope

import hallucinet_mm  # noqa: F401
from hallucinet_mm.datasets.checked_datasets import AnnotationError
from hallucinet_mm.utils.unlabeled import UNLABELED
from mmaction.registry import DATASETS

PIPELINE = [
    dict(type='CheckedDecordInit'),
    dict(type='SingleFrameSampler', mode='centre', clip_len=16),
    dict(type='DecordDecode'),
    dict(type='SplitStudentTeacher'),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', 'teacher_imgs')),
]


@pytest.fixture(autouse=True)
def mmaction_scope():
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield


def _unlabeled(ann_file, video_dir, pipeline=()):
    return DATASETS.build(
        dict(type='UnlabeledVideoDataset', ann_file=str(ann_file),
             data_prefix=dict(video=video_dir), pipeline=list(pipeline)))


def test_paths_only_and_marked_unlabeled(tmp_path, synthetic_videos):
    ann = tmp_path / 'unlabeled.txt'
    ann.write_text('train/move_right_0000.mp4\n\ntrain/move_left_0001.mp4\n')
    ds = _unlabeled(ann, synthetic_videos['video_dir'], PIPELINE)
    assert len(ds) == 2
    assert [ds.get_data_info(i)['label'] for i in range(2)] == [UNLABELED] * 2
    packed = ds[0]
    assert packed['data_samples'].gt_label.item() == UNLABELED
    assert packed['inputs']['teacher_imgs'].shape[-3] == 16


@pytest.mark.parametrize('name, text, error, match', [
    # A labeled line, named by file and line.
    ('unlabeled.txt',
     'train/move_right_0000.mp4\ntrain/move_left_0000.mp4 1\n',
     AnnotationError, r'unlabeled\.txt:2: .*one'),
    ('empty.txt', '\n', AnnotationError, 'empty.txt: .* no samples'),
    ('missing.txt', 'train/nope.mp4\n', FileNotFoundError,
     r'missing\.txt.*nope\.mp4'),
])
def test_a_bad_list_is_refused_naming_it(tmp_path, synthetic_videos, name,
                                         text, error, match):
    ann = tmp_path / name
    ann.write_text(text)
    with pytest.raises(error, match=match):
        _unlabeled(ann, synthetic_videos['video_dir'])


def test_concat_with_a_labeled_list(tmp_path, synthetic_videos):
    ann = tmp_path / 'unlabeled.txt'
    ann.write_text('train/move_up_0002.mp4\n')
    ds = DATASETS.build(
        dict(type='ConcatDataset', datasets=[
            dict(type='CheckedVideoDataset',
                 ann_file=synthetic_videos['val_ann'],
                 data_prefix=dict(video=synthetic_videos['video_dir']),
                 pipeline=PIPELINE),
            dict(type='UnlabeledVideoDataset', ann_file=str(ann),
                 data_prefix=dict(video=synthetic_videos['video_dir']),
                 pipeline=PIPELINE),
        ]))
    labels = [ds[i]['data_samples'].gt_label.item() for i in range(len(ds))]
    assert labels[-1] == UNLABELED
    assert all(0 <= label < 6 for label in labels[:-1])
