"""Every list is checked as a whole, and read with an error naming it."""
import pytest

from hallucinet_mm.datasets.checked_datasets import CheckedVideoDataset
from hallucinet_mm.datasets.list_checks import (ListFileError,
                                                read_name_list,
                                                read_text_lines)
from hallucinet_mm.datasets.unlabeled_video_dataset import \
    UnlabeledVideoDataset
from bad_input_helpers import write_lines


def _videos(tmp_path, names):
    for name in names:
        (tmp_path / name).write_bytes(b'not decoded here')
    return dict(video=str(tmp_path))


def _dataset(tmp_path, lines, cls=CheckedVideoDataset, **kwargs):
    ann = write_lines(tmp_path / 'train.txt', lines)
    return cls(ann_file=ann, pipeline=[],
               data_prefix=_videos(tmp_path, ['a.mp4', 'b.mp4']), **kwargs)


def test_same_video_with_two_labels_is_refused(tmp_path):
    with pytest.raises(ListFileError) as err:
        _dataset(tmp_path, ['a.mp4 0', 'b.mp4 1', 'a.mp4 3'])
    msg = str(err.value)
    assert f'{tmp_path}/train.txt' in msg
    assert 'has two labels: 0 (line 1) and 3 (line 3)' in msg


def test_same_video_twice_is_refused(tmp_path):
    with pytest.raises(ListFileError,
                       match=r'a.mp4 is listed twice \(lines 1 and 2\)'):
        _dataset(tmp_path, ['a.mp4 0', './a.mp4 0'])
    with pytest.raises(ListFileError,
                       match=r'b.mp4 is listed twice \(lines 2 and 3\)'):
        _dataset(tmp_path, ['a.mp4', 'b.mp4', 'b.mp4'],
                 cls=UnlabeledVideoDataset)


def test_utf8_bom_is_dropped(tmp_path):
    ann = tmp_path / 'train.txt'
    ann.write_bytes(b'\xef\xbb\xbfa.mp4 0\nb.mp4 1\n')
    ds = CheckedVideoDataset(ann_file=str(ann), pipeline=[],
                             data_prefix=_videos(tmp_path,
                                                 ['a.mp4', 'b.mp4']))
    assert ds.get_data_info(0)['filename'] == f'{tmp_path}/a.mp4'


@pytest.mark.parametrize('data,expected', [
    (b'a.mp4 0\ncaf\xe9.mp4 1\n', r'train.txt:2: the annotation file is not '
     r"UTF-8 \(byte b'\\xe9' at offset 11"),
    (b'\x89PNG\r\n\x1a\n\x00\x00', r'train.txt:3: the annotation file holds '
     'a NUL byte'),
    (b'\xff\xfea\x00', 'train.txt: the annotation file is UTF-16'),
])
def test_non_utf8_file_is_named(tmp_path, data, expected):
    ann = tmp_path / 'train.txt'
    ann.write_bytes(data)
    with pytest.raises(ListFileError, match=expected):
        CheckedVideoDataset(ann_file=str(ann), pipeline=[],
                            data_prefix=_videos(tmp_path, ['a.mp4']))


def test_label_map_is_checked_against_the_head(tmp_path):
    latin = tmp_path / 'latin1.txt'
    latin.write_bytes('ballet\ncaf\xe9\n'.encode('latin-1'))
    with pytest.raises(ListFileError, match='latin1.txt:2: the label map is '
                       'not UTF-8'):
        read_name_list(str(latin))
    names = write_lines(tmp_path / 'names.txt', ['run', 'jump', 'swim'])
    assert read_name_list(names, num_classes=3) == ['run', 'jump', 'swim']
    with pytest.raises(ListFileError,
                       match='names.txt holds 3 class names but the '
                       "model's head has num_classes=5"):
        read_name_list(names, num_classes=5)
    twice = write_lines(tmp_path / 'twice.txt', ['run', 'jump', 'run'])
    with pytest.raises(ListFileError, match=r'twice.txt: class name run is '
                       r'listed twice \(lines 1 and 3\)'):
        read_name_list(twice)
    gap = write_lines(tmp_path / 'gap.txt', ['run', '', 'swim', ''])
    with pytest.raises(ListFileError, match='gap.txt:2: blank line'):
        read_name_list(gap)


def test_missing_text_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=f'label map {tmp_path}/none.txt does not exist'):
        read_text_lines(str(tmp_path / 'none.txt'), 'label map')


def test_rawframe_list_duplicates_are_refused(tmp_path):
    from hallucinet_mm.datasets.checked_datasets import CheckedRawframeDataset
    for name in ('v0', 'v1'):
        (tmp_path / name).mkdir()
    ann = write_lines(tmp_path / 'frames.txt',
                      ['v0 20 1', 'v1 20 2', 'v0 20 4'])
    with pytest.raises(ListFileError, match=r'frames.txt: frame_dir .*v0 has '
                       r'two labels: 1 \(line 1\) and 4 \(line 3\)'):
        CheckedRawframeDataset(ann_file=ann, pipeline=[],
                               data_prefix=dict(img=str(tmp_path)))
    # With offsets, two clips of one folder are two samples.
    ann = write_lines(tmp_path / 'clips.txt', ['v0 0 10 1', 'v0 10 10 1'])
    ds = CheckedRawframeDataset(ann_file=ann, pipeline=[], with_offset=True,
                                data_prefix=dict(img=str(tmp_path)))
    assert len(ds) == 2
