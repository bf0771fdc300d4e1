"""Bad MTL-AQA pickles: each error names the pickle (and the sample key).

Kinds tried here: an empty split, an empty annotation dict, a value out of
range, a missing annotation field, a split key without annotation, a split
that is no list, a text file given as split, a truncated pickle, an
empty pickle file, a pickle that needs a global (numpy) to load, and a
damaged whole video (``frame_source="video"``).
"""
import pickle

import numpy as np
import pytest
from mmaction.registry import DATASETS
from mmengine.registry import DefaultScope

import hallucinet_mm  # noqa: F401  (registers MTLAQADataset)
from hallucinet_mm.utils import UnsafePickleError
from bad_input_helpers import digest, truncate

GOOD = dict(position=0, armstand=1, rotation_type=2, ss_no=3, tw_no=4,
            difficulty=2.0, final_score=50.0, start_frame=0, end_frame=9)


@pytest.fixture(autouse=True)
def mmaction_scope():
    """A Runner built by an earlier test may have left another scope."""
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield


def _dump(path, obj):
    with open(path, 'wb') as f:
        pickle.dump(obj, f)
    return str(path)


def _build(tmp_path, split, annotations):
    """Writes the two pickles and builds the dataset (no frames needed)."""
    ann = _dump(tmp_path / 'final_annotations_dict.pkl', annotations)
    split_file = (split if isinstance(split, str) else _dump(
        tmp_path / 'train_split_0.pkl', split))
    before = digest(ann), digest(split_file)
    try:
        return DATASETS.build(
            dict(type='MTLAQADataset', ann_file=split_file,
                 annotation_file=ann, data_prefix=dict(video=str(tmp_path)),
                 pipeline=[]))
    finally:
        assert (digest(ann), digest(split_file)) == before  # left untouched


@pytest.mark.parametrize('split, annotations, error, names, expected', [
    ([], {(1, 1): GOOD}, ValueError, 'train_split_0.pkl', 'lists no samples'),
    ([(1, 1)], {}, ValueError, 'final_annotations_dict.pkl',
     'holds no annotations'),
    ([(1, 1)], {(1, 1): dict(GOOD, tw_no=8)}, ValueError,
     'final_annotations_dict.pkl', 'sample (1, 1): tw_no=8'),
    ([(1, 1)], {(1, 1): {k: v for k, v in GOOD.items() if k != 'ss_no'}},
     KeyError, 'final_annotations_dict.pkl', "lacks ['ss_no']"),
    ([(1, 1), (9, 9)], {(1, 1): GOOD}, KeyError, 'train_split_0.pkl',
     'sample (9, 9)'),
    ({(1, 1): 0}, {(1, 1): GOOD}, TypeError, 'train_split_0.pkl',
     'must hold a list of keys'),
    ([(1, 1), (1, 2), (1, 1)], {(1, 1): GOOD, (1, 2): GOOD}, ValueError,
     'train_split_0.pkl', 'sample (1, 1) is listed twice (entries 0 and 2)'),
],
                         ids=['empty-split', 'empty-annotations',
                              'value-out-of-range', 'missing-field',
                              'key-not-annotated', 'split-not-a-list',
                              'duplicate-key'])
def test_bad_pickle_content_names_the_file(tmp_path, split, annotations,
                                           error, names, expected):
    with pytest.raises(error) as info:
        _build(tmp_path, split, annotations)
    msg = str(info.value)
    assert str(tmp_path / names) in msg
    assert expected in msg


@pytest.mark.parametrize('damage', ['text', 'truncated', 'zero-bytes'])
def test_split_that_is_no_pickle_names_the_file(tmp_path, damage):
    split = tmp_path / 'train_split_0.pkl'
    if damage == 'text':
        split.write_text('(1, 1)\n(1, 2)\n')
    elif damage == 'zero-bytes':
        split.write_bytes(b'')
    else:
        _dump(split, [(i, j) for i in range(1, 20) for j in range(1, 20)])
        truncate(split, 0.5)
    with pytest.raises(pickle.UnpicklingError,
                       match=f"'{split}' is not a valid pickle file"):
        _build(tmp_path, str(split), {(1, 1): GOOD})


def test_pickle_needing_a_global_is_refused(tmp_path):
    annotations = {(1, 1): dict(GOOD, final_score=np.float64(50.0))}
    with pytest.raises(UnsafePickleError,
                       match='final_annotations_dict.pkl.*numpy'):
        _build(tmp_path, [(1, 1)], annotations)


def test_unreadable_whole_video_names_the_file(tmp_path):
    """frame_source='video': a damaged whole video fails at load, named."""
    from hallucinet_mm.datasets.transforms.checked_loading import \
        VideoReadError
    from tools.data.video_files import write_corrupt_video
    video = write_corrupt_video(str(tmp_path / '01.mp4'))
    ann = _dump(tmp_path / 'final_annotations_dict.pkl', {(1, 1): GOOD})
    split = _dump(tmp_path / 'train_split_0.pkl', [(1, 1)])
    with pytest.raises(VideoReadError,
                       match=f"cannot read video '{video}' of sample"):
        DATASETS.build(
            dict(type='MTLAQADataset', ann_file=split, annotation_file=ann,
                 data_prefix=dict(video=str(tmp_path)), pipeline=[],
                 frame_source='video'))
