# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""MMAction2's video and rawframe datasets with errors that name the line.

MMAction2's ``VideoDataset`` and ``RawframeDataset`` fail on a bad
annotation line with a bare ``ValueError`` or ``AssertionError`` and on a
missing video only when a worker decodes it. These subclasses parse every
line with an error naming the file, line number and line, and (by default)
check at load time that every video file or frame folder exists.

Every line must carry a label: MMAction2 turns a line without one into
label -1, which a labeled list must never do (an unlabeled list is a
separate, explicitly declared dataset). An annotation file without any
sample is an error too, and so is a video listed twice (with the same
label or, worse, with two labels), naming both lines. The file is read with
:func:`~hallucinet_mm.datasets.list_checks.read_text_lines` (a UTF-8 BOM is
dropped; a binary or non-UTF-8 file is refused naming ``file:line``).
Labels are checked against ``num_classes`` when the config passes it; :class:`~hallucinet_mm.engine.hooks.
CheckLabelRangeHook` checks them against the model's head in any case.
Each data info records its line as ``ann_lineno`` so later checks can name
``file:line``.

A rawframe list states each video's length, so when the pipeline samples
teacher clips the lengths are checked at load time with the policy of
:class:`~hallucinet_mm.datasets.transforms.checked_loading.
TeacherWindowPolicy`: one warning counts the videos whose teacher clip will
be padded, and a video below the minimum is an error naming ``file:line``.
"""
import os.path as osp
from typing import List, Optional, Sequence, Tuple

from mmengine.fileio import exists
from mmengine.logging import print_log

from mmaction.datasets import RawframeDataset, VideoDataset
from mmaction.registry import DATASETS
from .list_checks import ListFileError, check_unique, read_text_lines
from .transforms.checked_loading import TeacherWindowPolicy
from .transforms.teacher_features import LoadTeacherFeatures


class AnnotationError(ListFileError):
    """An annotation file line that does not parse or names no file."""


def _parse_labels(fields: Sequence[str], ann_file: str, lineno: int,
                  line: str, multi_class: bool, num_classes) -> object:
    try:
        labels = [int(x) for x in fields]
    except ValueError:
        raise AnnotationError(
            f'{ann_file}:{lineno}: labels must be integers in {line!r}')
    if not labels:
        raise AnnotationError(
            f'{ann_file}:{lineno}: no label in {line!r} (a labeled list needs '
            'one on every line; unlabeled videos go in a separate, declared '
            'unlabeled list)')
    for label in labels:  # multi-class too: a one-hot of -1 sets the last
        if label < 0 or (num_classes is not None and label >= num_classes):
            raise AnnotationError(
                f'{ann_file}:{lineno}: label {label} outside [0, '
                f'{num_classes}) in {line!r}')
    if multi_class:
        return labels
    if len(labels) != 1:
        raise AnnotationError(
            f'{ann_file}:{lineno}: expected one label, got {len(labels)} in '
            f'{line!r} (set multi_class=True for several)')
    return labels[0]


def _check_list(data_list: List[dict], ann_file: str, key: str) -> None:
    """A list as a whole: not empty, no video twice or with two labels."""
    if not data_list:
        raise AnnotationError(
            f'{ann_file}: the annotation file holds no samples (it is empty '
            'or blank)')
    # With offsets, one frame folder may hold several clips.
    check_unique([(d[key] + (f' offset {d["offset"]}' if 'offset' in d
                             else ''), d['label'], d['ann_lineno'])
                  for d in data_list], ann_file, what=key)


def _teacher_window(pipeline) -> Optional[Tuple[int, int]]:
    """``(window, minimum)`` when the pipeline samples teacher clips.

    The window comes from the student-teacher sampler (``clip_len`` and
    ``frame_interval``), the minimum from a checked decoder's
    ``min_teacher_frames`` (the policy's default without one).
    """
    transforms = getattr(pipeline, 'transforms', [])
    sampler = next((t for t in transforms if getattr(t, 'with_teacher', False)
                    and hasattr(t, 'clip_len')), None)
    if sampler is None:
        return None
    policy = next((t.policy for t in transforms
                   if isinstance(getattr(t, 'policy', None),
                                 TeacherWindowPolicy)), TeacherWindowPolicy())
    window = (sampler.clip_len - 1) * sampler.frame_interval + 1
    return window, policy.minimum(window)


def _check_lengths(data_list: List[dict], ann_file: str, pipeline) -> None:
    """Refuses videos too short for a teacher clip, counts padded ones."""
    window = _teacher_window(pipeline)
    if window is None:
        return
    window, minimum = window
    short = [d for d in data_list if d['total_frames'] < window]
    for info in short:
        if info['total_frames'] < minimum:
            raise AnnotationError(
                f'{ann_file}:{info["ann_lineno"]}: {info["frame_dir"]} has '
                f'{info["total_frames"]} frames, fewer than {minimum} '
                f'(min_teacher_frames) for its {window}-frame teacher clip')
    if short:
        shortest = min(short, key=lambda d: d['total_frames'])
        print_log(
            f'{ann_file}: {len(short)} of {len(data_list)} videos are '
            f'shorter than the {window}-frame teacher window (shortest: '
            f'{shortest["total_frames"]} frames, line '
            f'{shortest["ann_lineno"]}); their teacher clips are padded by '
            'repeating the last frame', logger='current', level=30)


def _check_paths(data_list: List[dict], key: str, ann_file: str,
                 check) -> None:
    missing = [d[key] for d in data_list if not check(d[key])]
    if missing:
        shown = ', '.join(missing[:5])
        more = f' and {len(missing) - 5} more' if len(missing) > 5 else ''
        raise FileNotFoundError(
            f'{ann_file}: {len(missing)} {key} entries do not exist: '
            f'{shown}{more}')


def attach_teacher_feature_store(pipeline, store_dir: Optional[str],
                                 source: str) -> None:
    """Points every ``LoadTeacherFeatures`` of a pipeline at ``store_dir``.

    Args:
        pipeline: The dataset's ``Compose``.
        store_dir (str, optional): The store; None leaves the pipeline as is.
        source (str): The dataset's annotation file, named in errors.

    Raises:
        ValueError: If a store is given to a pipeline that reads none.
    """
    if store_dir is None:
        return
    loaders = [
        t for t in getattr(pipeline, 'transforms', [])
        if isinstance(t, LoadTeacherFeatures)
    ]
    if not loaders:
        raise ValueError(
            f'{source}: teacher_feature_store={store_dir!r} is given but the '
            'pipeline has no LoadTeacherFeatures to read it')
    for loader in loaders:
        loader.set_store_dir(store_dir)


class _CheckedDatasetOptions:
    """The options both checked datasets add to MMAction2's (see them)."""

    def __init__(self,
                 *args,
                 check_files: bool = True,
                 teacher_feature_store: Optional[str] = None,
                 **kwargs) -> None:
        self.check_files = check_files
        super().__init__(*args, **kwargs)
        attach_teacher_feature_store(self.pipeline, teacher_feature_store,
                                     self.ann_file)


@DATASETS.register_module()
class CheckedVideoDataset(_CheckedDatasetOptions, VideoDataset):
    """:class:`mmaction.datasets.VideoDataset` with line-numbered errors.

    Lines are ``path label [label ...]``; paths are joined with
    ``data_prefix['video']``.

    Args:
        check_files (bool): Check that every video file exists when the
            annotation is loaded. Defaults to True.
        teacher_feature_store (str, optional): The teacher-feature store
            the pipeline's ``LoadTeacherFeatures`` reads (set here so a
            config can change it without an index into the pipeline).
            Defaults to None: the transform's own ``store_dir``.
        **kwargs: See :class:`mmaction.datasets.VideoDataset`.
    """

    def parse_labels(self, fields: Sequence[str], lineno: int, line: str):
        """The label(s) of one annotation line (errors name file:line)."""
        return _parse_labels(fields, self.ann_file, lineno, line,
                             self.multi_class, self.num_classes)

    def load_data_list(self) -> List[dict]:
        """Loads and checks the annotation file."""
        exists(self.ann_file)
        data_list = []
        for lineno, line in read_text_lines(self.ann_file,
                                            'annotation file'):
            fields = line.strip().split(self.delimiter)
            if not fields or not fields[0]:
                continue  # blank line
            label = self.parse_labels(fields[1:], lineno, line)
            filename = fields[0]
            if self.data_prefix.get('video') is not None:
                filename = osp.join(self.data_prefix['video'], filename)
            data_list.append(
                dict(filename=filename, label=label, ann_lineno=lineno))
        _check_list(data_list, self.ann_file, 'filename')
        if self.check_files:
            _check_paths(data_list, 'filename', self.ann_file, osp.isfile)
        return data_list


@DATASETS.register_module()
class CheckedRawframeDataset(_CheckedDatasetOptions, RawframeDataset):
    """:class:`mmaction.datasets.RawframeDataset` with line-numbered errors.

    Lines are ``frame_dir total_frames label [label ...]`` (with
    ``with_offset``: ``frame_dir offset total_frames label``).

    Args:
        check_files (bool): Check that every frame folder exists when the
            annotation is loaded. Defaults to True.
        teacher_feature_store (str, optional): See
            :class:`CheckedVideoDataset`. Defaults to None.
        **kwargs: See :class:`mmaction.datasets.RawframeDataset`.
    """

    def load_data_list(self) -> List[dict]:
        """Loads and checks the annotation file."""
        exists(self.ann_file)
        data_list = []
        num_counts = 2 if self.with_offset else 1
        for lineno, line in read_text_lines(self.ann_file,
                                            'annotation file'):
            fields = line.strip().split()
            if not fields:
                continue
            if len(fields) < 1 + num_counts:
                raise AnnotationError(
                    f'{self.ann_file}:{lineno}: expected "frame_dir '
                    f'{"offset " if self.with_offset else ""}total_frames '
                    f'label", got {line!r}')
            try:
                counts = [int(x) for x in fields[1:1 + num_counts]]
            except ValueError:
                raise AnnotationError(
                    f'{self.ann_file}:{lineno}: frame counts must be '
                    f'integers in {line!r}')
            frame_dir = fields[0]
            if self.data_prefix.get('img') is not None:
                frame_dir = osp.join(self.data_prefix['img'], frame_dir)
            info = dict(frame_dir=frame_dir, total_frames=counts[-1],
                        ann_lineno=lineno)
            if self.with_offset:
                info['offset'] = counts[0]
            if info['total_frames'] < 1:
                raise AnnotationError(
                    f'{self.ann_file}:{lineno}: total_frames must be >= 1 '
                    f'in {line!r}')
            info['label'] = _parse_labels(fields[1 + num_counts:],
                                          self.ann_file, lineno, line,
                                          self.multi_class, self.num_classes)
            data_list.append(info)
        _check_list(data_list, self.ann_file, 'frame_dir')
        _check_lengths(data_list, self.ann_file, self.pipeline)
        if self.check_files:
            _check_paths(data_list, 'frame_dir', self.ann_file, osp.isdir)
        return data_list
