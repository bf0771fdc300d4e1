# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The MTL-AQA diving dataset (dive classification and quality scores)."""
import numbers
import os
import os.path as osp
from typing import Callable, Dict, List, Optional, Tuple, Union

import numpy as np
from mmengine.fileio import join_path
from mmengine.utils import is_abs

from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS
from mmaction.utils import ConfigType

from ..utils import safe_pickle_load
from .list_checks import check_unique
from .transforms.checked_loading import VideoReadError

#: The order of ``dive_labels``.
MTL_AQA_DIVE_FIELDS = ('position', 'armstand', 'rotation_type', 'ss_no',
                       'tw_no')

Key = Tuple[int, int]


@DATASETS.register_module()
class MTLAQADataset(BaseActionDataset):
    """MTL-AQA: dives cut from whole competition videos.

    Reads the official release: ``final_annotations_dict.pkl`` maps each
    ``(video_no, sample_no)`` key to a dict with ``start_frame``,
    ``end_frame`` (inclusive frame numbers, counted from 0 in the whole
    video), ``position``, ``armstand``, ``rotation_type``, ``ss_no``,
    ``tw_no``, ``difficulty`` and ``final_score``; a split file (e.g.
    ``train_split_0.pkl``) lists the keys of the split. Pickles are loaded
    with :func:`hallucinet_mm.utils.safe_pickle_load` (plain built-in types
    only).

    Frames are the JPEGs ffmpeg extracts from each whole video, numbered from
    1: ``{data_prefix['video']}/{video_no:02d}/{index:06d}.jpg``. Frame
    number ``f`` is file ``f + 1`` (the original loaders take position ``f``
    of the sorted file list), hence ``start_index=1`` and 0-based
    ``start_frame``/``end_frame``. With ``frame_source='video'``,
    ``{data_prefix['video']}/{video_no:02d}.mp4`` is decoded instead and
    ``start_index`` defaults to 0 (decoded frame ``f`` is frame ``f``).

    Each data info holds ``frame_dir`` and ``filename_tmpl`` (rawframes) or
    ``filename`` (video), ``total_frames`` (frames of the whole video),
    ``start_frame``, ``end_frame``, ``dive_labels`` (np.int64 array in
    ``MTL_AQA_DIVE_FIELDS`` order), ``final_score``, ``difficulty``,
    ``key`` (the ``(video_no, sample_no)`` tuple), ``key_str``
    (``'VV_SS'``), ``video_no`` and ``sample_no``. There is no ``label``:
    pack ``dive_labels`` and ``final_score`` with
    ``PackActionInputs(algorithm_keys=('dive_labels', 'final_score'))``.

    Every sample is validated at load time; errors name the sample key.

    Args:
        ann_file (str): The split pickle (a list of keys).
        pipeline (list[dict | callable]): The data transforms.
        annotation_file (str): ``final_annotations_dict.pkl``; relative paths
            are joined with ``data_root``.
        data_prefix (dict): ``dict(video=...)``, the folder holding the
            per-video frame folders (or the ``.mp4`` files). Defaults to
            ``dict(video='')``.
        frame_source (str): ``'rawframes'`` or ``'video'``.
            Defaults to ``'rawframes'``.
        filename_tmpl (str): Frame file name template.
            Defaults to ``'{:06d}.jpg'``.
        video_tmpl (str): Video file name template (video mode).
            Defaults to ``'{:02d}.mp4'``.
        start_index (int, optional): File index of frame number 0.
            Defaults to None: 1 for rawframes, 0 for video.
        test_mode (bool): Whether the dataset is for testing.
            Defaults to False.
        **kwargs: Passed to :class:`BaseActionDataset` (``data_root``,
            ``modality``, ...).
    """

    #: The one source of the dive fields (the order of ``dive_labels``) and
    #: their class counts; ``DiveMultiHead``, ``DiveAccuracyMetric`` and the
    #: configs read them from here.
    METAINFO = dict(
        dive_fields=MTL_AQA_DIVE_FIELDS, dive_num_classes=(3, 2, 4, 10, 8))

    #: Inclusive valid range of each annotation value.
    VALUE_RANGES = dict(
        **{
            name: (0, num_classes - 1)
            for name, num_classes in zip(METAINFO['dive_fields'],
                                         METAINFO['dive_num_classes'])
        },
        final_score=(0.0, 104.5),
        difficulty=(1.0, 4.5))

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[ConfigType, Callable]],
                 annotation_file: str,
                 data_prefix: ConfigType = dict(video=''),
                 frame_source: str = 'rawframes',
                 filename_tmpl: str = '{:06d}.jpg',
                 video_tmpl: str = '{:02d}.mp4',
                 start_index: Optional[int] = None,
                 test_mode: bool = False,
                 **kwargs) -> None:
        if frame_source not in ('rawframes', 'video'):
            raise ValueError("frame_source must be 'rawframes' or 'video', "
                             f'got {frame_source!r}')
        if 'video' not in data_prefix:
            raise ValueError('data_prefix must have a `video` entry, got '
                             f'{dict(data_prefix)}')
        if kwargs.pop('multi_class', False):
            raise ValueError('MTLAQADataset has no single `label`; '
                             'multi_class is not supported')
        self.annotation_file = annotation_file
        self.frame_source = frame_source
        self.filename_tmpl = filename_tmpl
        self.video_tmpl = video_tmpl
        if start_index is None:
            start_index = 1 if frame_source == 'rawframes' else 0
        super().__init__(
            ann_file,
            pipeline=pipeline,
            data_prefix=data_prefix,
            test_mode=test_mode,
            start_index=start_index,
            **kwargs)

    def _annotation_path(self) -> str:
        """``annotation_file`` joined with ``data_root`` when relative."""
        path = self.annotation_file
        if path and not is_abs(path) and self.data_root:
            path = join_path(self.data_root, path)
        return path

    def load_data_list(self) -> List[dict]:
        """Loads and validates the samples of the split."""
        ann_path = self._annotation_path()
        annotations = safe_pickle_load(ann_path)
        if not isinstance(annotations, dict):
            raise TypeError(f'{ann_path!r} must hold a dict of annotations, '
                            f'got {type(annotations).__name__}')
        if not annotations:
            raise ValueError(f'{ann_path!r} holds no annotations (an empty '
                             'dict)')
        split = safe_pickle_load(self.ann_file)
        if not isinstance(split, (list, tuple)):
            raise TypeError(f'{self.ann_file!r} must hold a list of keys, '
                            f'got {type(split).__name__}')
        if not split:
            raise ValueError(f'split {self.ann_file!r} lists no samples (an '
                             'empty list)')

        keys = []
        for key in split:
            key = _check_key(key, self.ann_file)
            if key not in annotations:
                raise KeyError(f'sample {key} of split {self.ann_file!r} is '
                               f'not in the annotation file {ann_path!r}')
            keys.append(key)
        # A sample listed twice would count twice in training and metrics.
        check_unique([(key, None, i) for i, key in enumerate(keys)],
                     self.ann_file, what='sample', paths=False,
                     unit='entry')

        total_frames: Dict[int, int] = {}
        data_list = []
        for key in keys:
            try:
                info = self._parse_annotation(key, annotations[key])
            except (TypeError, KeyError, ValueError) as err:
                raise _in_file(err, ann_path) from err
            video_no = key[0]
            if video_no not in total_frames:
                total_frames[video_no] = self._count_frames(video_no, key)
            num_frames = total_frames[video_no]
            if info['end_frame'] >= num_frames:
                raise ValueError(
                    f'{ann_path!r}, sample {key}: frames '
                    f'{info["start_frame"]}-{info["end_frame"]} lie outside '
                    f'video {video_no:02d}, which has {num_frames} frames '
                    f'(0-{num_frames - 1})')
            info['total_frames'] = num_frames
            if self.frame_source == 'rawframes':
                info['frame_dir'] = self._frame_dir(video_no)
                info['filename_tmpl'] = self.filename_tmpl
            else:
                info['filename'] = self._video_path(video_no)
            data_list.append(info)
        return data_list

    def _parse_annotation(self, key: Key, ann: dict) -> dict:
        """Validates one annotation and turns it into a data info."""
        if not isinstance(ann, dict):
            raise TypeError(f'sample {key}: annotation must be a dict, got '
                            f'{type(ann).__name__}')
        required = MTL_AQA_DIVE_FIELDS + ('final_score', 'difficulty',
                                          'start_frame', 'end_frame')
        missing = [name for name in required if name not in ann]
        if missing:
            raise KeyError(f'sample {key}: annotation lacks {missing}')
        for name in MTL_AQA_DIVE_FIELDS:
            value = ann[name]
            low, high = self.VALUE_RANGES[name]
            if not _is_int(value) or not low <= value <= high:
                raise ValueError(f'sample {key}: {name}={value!r} is not an '
                                 f'int in [{low}, {high}]')
        for name in ('final_score', 'difficulty'):
            value = ann[name]
            low, high = self.VALUE_RANGES[name]
            if not _is_number(value) or not low <= value <= high:
                raise ValueError(f'sample {key}: {name}={value!r} is not a '
                                 f'number in [{low}, {high}]')
        start, end = ann['start_frame'], ann['end_frame']
        for name, value in (('start_frame', start), ('end_frame', end)):
            if not _is_int(value) or value < 0:
                raise ValueError(
                    f'sample {key}: {name}={value!r} is not an int >= 0')
        if start > end:
            raise ValueError(f'sample {key}: start_frame={start} > '
                             f'end_frame={end}')
        return dict(
            key=key,
            key_str=f'{key[0]:02d}_{key[1]:02d}',
            video_no=key[0],
            sample_no=key[1],
            start_frame=int(start),
            end_frame=int(end),
            dive_labels=np.array([ann[name] for name in MTL_AQA_DIVE_FIELDS],
                                 dtype=np.int64),
            final_score=float(ann['final_score']),
            difficulty=float(ann['difficulty']))

    def _frame_dir(self, video_no: int) -> str:
        """The frame folder of a whole video."""
        return osp.join(self.data_prefix['video'], f'{video_no:02d}')

    def _video_path(self, video_no: int) -> str:
        """The file of a whole video."""
        return osp.join(self.data_prefix['video'],
                        self.video_tmpl.format(video_no))

    def _count_frames(self, video_no: int, key: Key) -> int:
        """Number of frames of a whole video (read once per video)."""
        if self.frame_source == 'video':
            return self._count_video_frames(video_no, key)
        frame_dir = self._frame_dir(video_no)
        if not osp.isdir(frame_dir):
            raise FileNotFoundError(
                f'frame folder {frame_dir!r} of sample {key} does not exist')
        ext = osp.splitext(self.filename_tmpl.format(0))[1]
        names = {
            entry.name
            for entry in os.scandir(frame_dir)
            if entry.name.endswith(ext)
        }
        count = len(names)
        first = self.filename_tmpl.format(self.start_index)
        last = self.filename_tmpl.format(self.start_index + count - 1)
        if count == 0 or first not in names or last not in names:
            raise ValueError(
                f'frame folder {frame_dir!r} (sample {key}) holds {count} '
                f'{ext} files, but not numbered {first} to {last} as '
                f'filename_tmpl={self.filename_tmpl!r} and '
                f'start_index={self.start_index} require')
        return count

    def _count_video_frames(self, video_no: int, key: Key) -> int:
        """Number of frames decord finds in a whole video."""
        path = self._video_path(video_no)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'video {path!r} of sample {key} does not exist')
        try:
            import decord
        except ImportError as e:
            raise ImportError("frame_source='video' needs decord: "
                              'pip install decord') from e
        try:
            return len(decord.VideoReader(path, num_threads=1))
        except Exception as err:  # decord raises its own DECORDError
            text = str(err).strip()
            raise VideoReadError(
                f'cannot read video {path!r} of sample {key}: '
                f'{type(err).__name__}: '
                f'{text.splitlines()[0] if text else ""}') from err


def _in_file(err: Exception, path: str) -> Exception:
    """The same kind of error with the file named first."""
    message = err.args[0] if err.args else str(err)
    return type(err)(f'{path!r}, {message}')


#: The number of classes of each dive field, from ``METAINFO``.
MTL_AQA_DIVE_CLASSES = dict(
    zip(MTLAQADataset.METAINFO['dive_fields'],
        MTLAQADataset.METAINFO['dive_num_classes']))


def _is_int(value) -> bool:
    """Whether ``value`` is an integer (bools excluded)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value) -> bool:
    """Whether ``value`` is a finite real number (bools excluded)."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and np.isfinite(value))


def _check_key(key, split_file: str) -> Key:
    """Checks that a split entry is a ``(video_no, sample_no)`` pair."""
    if (not isinstance(key, (tuple, list)) or len(key) != 2
            or not all(_is_int(k) for k in key)):
        raise ValueError(f'{split_file!r} holds {key!r}, not a '
                         '(video_no, sample_no) pair of ints')
    return int(key[0]), int(key[1])
