# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Video opening and decoding with errors that name the file.

``CheckedDecordInit`` opens a video; ``CheckedDecordDecode`` and
``CheckedRawFrameDecode`` decode the sampled frames. All three raise
:class:`VideoReadError` naming the video (or frame file) for whatever the
decoder says, and the decoders also refuse frames decord misreads (4
channels, wrong size) and handle videos shorter than the teacher's window
(see :class:`TeacherWindowPolicy`).
"""
import os.path as osp
from typing import Dict, List, Optional

import mmcv
import numpy as np
from mmengine.logging import print_log

from mmaction.datasets.transforms import (DecordDecode, DecordInit,
                                          RawFrameDecode)
from mmaction.registry import TRANSFORMS
from .decoded_video import DecodedVideo, DecodedVideoCache
from .frame_samplers import VideoTooShortError
from .image_reader import ImageReader, is_image


class VideoReadError(IOError):
    """A video file that is missing, unreadable or empty."""


@TRANSFORMS.register_module()
class CheckedDecordInit(DecordInit):
    """:class:`mmaction.datasets.transforms.DecordInit` naming bad files.

    A missing file, a file decord cannot open (corrupt or not a video) and
    a video with no frames raise :class:`VideoReadError` with the path.

    With ``cache_bytes``, each process (each data-loader worker) keeps the
    decoded frames of the videos it has read, up to that many bytes (least
    recently used dropped first), and later samples of a video are cut from
    memory instead of being opened and decoded again (a video larger than
    the budget is read as without it): for small datasets
    read for many epochs (the synthetic main job's students decode each of
    their videos about 200 times), with ``persistent_workers=True`` so the
    workers keep their caches. The frames are those decord decodes (tested);
    use it with ``DecordDecode``'s default ``mode='accurate'``.

    Args:
        cache_bytes (int): Memory for decoded videos per process; 0 (the
            default) decodes every sample from the file.
        **kwargs: See :class:`mmaction.datasets.transforms.DecordInit`.
    """

    def __init__(self, cache_bytes: int = 0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cache = DecodedVideoCache(cache_bytes) if cache_bytes else None
        self.over_budget = set()  # videos the cache cannot hold, measured

    def _get_video_reader(self, filename: str) -> object:
        # An image is a one-frame video (inference_recognizer, demo).
        if is_image(filename):
            return ImageReader(filename)
        if self.cache is None:
            return super()._get_video_reader(filename)
        if filename in self.cache:
            return self.cache.get(filename, decode=None)
        reader = super()._get_video_reader(filename)
        if filename in self.over_budget:
            return reader
        # A video the budget cannot hold is read as without a cache (only
        # the sampled frames), not decoded whole for nothing; its size is
        # measured (one frame decoded) once.
        if not self.cache.fits(len(reader) * reader[0].asnumpy().nbytes):
            self.over_budget.add(filename)
            return reader
        return self.cache.get(filename,
                              lambda: DecodedVideo.decode(reader))

    def transform(self, results: Dict) -> Dict:
        """Opens ``results['filename']`` as ``DecordInit`` does (with
        ``video_reader`` and ``total_frames``); a missing, unreadable or
        empty video raises :class:`VideoReadError` naming it."""
        filename = results['filename']
        try:
            results = super().transform(results)
        except FileNotFoundError as err:
            raise VideoReadError(f'video file not found: {filename}') from err
        except Exception as err:  # decord raises its own DECORDError
            raise VideoReadError(
                f'cannot read video {filename}: {type(err).__name__}: '
                f'{str(err).splitlines()[0] if str(err) else ""}') from err
        if results['total_frames'] < 1:
            raise VideoReadError(f'video has no frames: {filename}')
        return results


def _one_line(err: Exception) -> str:
    """``Type: first line`` of an exception (decord's are multi-line)."""
    text = str(err).strip()
    return f'{type(err).__name__}: {text.splitlines()[0] if text else ""}'


class TeacherWindowPolicy:
    """What to do with videos shorter than the teacher's clip window.

    A student-teacher sampler (``SingleFrameSampler`` ...) pads a teacher
    clip that does not fit in the video by repeating the last frame. That
    is kept for videos of at least ``min_teacher_frames`` frames, with a
    warning naming the first such video of each process and a running count
    logged at the 1st, 10th, 100th, ... padded sample. Below that minimum
    the clip would be mostly copies of one frame: the teacher then sees a
    still image, and its features are no motion target for the student, so
    the sample is refused with :class:`VideoTooShortError` naming the file.

    Args:
        min_teacher_frames (int, optional): The least frames a video needs
            when its teacher clip must be padded. Defaults to None: half the
            teacher window, rounded up (8 frames for 16-frame clips).
    """

    #: Padded samples seen by this process (all instances together).
    padded_count = 0

    def __init__(self, min_teacher_frames: Optional[int] = None) -> None:
        if min_teacher_frames is not None and min_teacher_frames < 1:
            raise ValueError('min_teacher_frames must be >= 1, got '
                             f'{min_teacher_frames}')
        self.min_teacher_frames = min_teacher_frames

    def minimum(self, window: int) -> int:
        """The least frames a video needs for a ``window``-frame clip."""
        return self.min_teacher_frames or -(-window // 2)

    def check(self, results: Dict, source: str) -> None:
        """Counts, warns about or refuses a padded teacher clip.

        Args:
            results (dict): The result dict, after a student-teacher sampler
                (with ``teacher_frame_pos``); others pass unchanged.
            source (str): The video or frame folder, named in messages.

        Raises:
            VideoTooShortError: If the video has fewer frames than the
                minimum and its teacher clip is padded.
        """
        if 'teacher_frame_pos' not in results:
            return
        clip_len = np.shape(results['teacher_frame_pos'])[-1]
        window = (clip_len - 1) * int(results.get('frame_interval', 1)) + 1
        total = int(results['total_frames'])
        if total >= window:
            return
        minimum = self.minimum(window)
        if total < minimum:
            raise VideoTooShortError(
                f'{source}: {total} frames, fewer than {minimum} '
                f'(min_teacher_frames); its {window}-frame teacher clip '
                'would be mostly copies of the last frame')
        TeacherWindowPolicy.padded_count += 1
        count = TeacherWindowPolicy.padded_count
        if count == 1:
            print_log(
                f'{source}: {total} frames, shorter than the {window}-frame '
                'teacher window: its teacher clip is padded by repeating the '
                'last frame. Further padded samples are counted, not named.',
                logger='current', level=30)
        elif str(count).strip('0') == '1':  # 10, 100, 1000, ...
            print_log(
                f'{count} samples so far had their teacher clip padded '
                '(videos shorter than the teacher window)',
                logger='current', level=30)


class _TeacherWindowChecked:
    """A decoding transform whose short videos follow
    :class:`TeacherWindowPolicy` (``self.policy``).

    Args:
        min_teacher_frames (int, optional): See
            :class:`TeacherWindowPolicy`. Defaults to None.
        **kwargs: Those of the MMAction2 transform it is mixed into.
    """

    def __init__(self, min_teacher_frames: Optional[int] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.policy = TeacherWindowPolicy(min_teacher_frames)


@TRANSFORMS.register_module()
class CheckedDecordDecode(_TeacherWindowChecked, DecordDecode):
    """:class:`mmaction.datasets.transforms.DecordDecode` naming bad files.

    A decoding error (damaged bytes mid-file), and frames decord misreads
    (decord 0.6.0 returns 4-channel frames for some widths, e.g. 24 px)
    raise :class:`VideoReadError` with the path. Short videos follow
    :class:`TeacherWindowPolicy`.

    Args: ``min_teacher_frames`` (see :class:`TeacherWindowPolicy`), then
    those of :class:`mmaction.datasets.transforms.DecordDecode`.
    """

    def transform(self, results: Dict) -> Dict:
        """Decodes ``frame_inds`` from ``video_reader``.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        filename = results.get('filename', '?')
        self.policy.check(results, filename)
        inds = np.asarray(results['frame_inds']).reshape(-1)
        try:
            results = super().transform(results)
        except Exception as err:  # decord raises its own DECORDError
            hint = (' (decord 0.6.0 misreads some frame widths, e.g. 24 px: '
                    're-encode the video at another width)'
                    if 'size must exactly match' in str(err) else '')
            raise VideoReadError(
                f'cannot decode frames {inds.tolist()} of video {filename}: '
                f'{_one_line(err)}{hint}') from err
        shapes = {np.shape(img) for img in results['imgs']}
        if len(shapes) != 1 or len(next(iter(shapes))) != 3 or next(
                iter(shapes))[-1] != 3:
            raise VideoReadError(
                f'decord decoded video {filename} to frames of shape(s) '
                f'{sorted(shapes)}, not (H, W, 3) RGB (decord 0.6.0 misreads '
                'some frame widths, e.g. 24 px: re-encode the video)')
        return results


@TRANSFORMS.register_module()
class CheckedRawFrameDecode(_TeacherWindowChecked, RawFrameDecode):
    """:class:`mmaction.datasets.transforms.RawFrameDecode` naming bad files.

    A missing frame file and a frame that does not decode (truncated or
    not an image) raise :class:`VideoReadError` naming the frame file.
    Short videos follow :class:`TeacherWindowPolicy`.

    Args: ``min_teacher_frames`` (see :class:`TeacherWindowPolicy`), then
    those of :class:`mmaction.datasets.transforms.RawFrameDecode`.
    """

    @staticmethod
    def _frame_paths(results: Dict) -> List[str]:
        """The RGB frame file of each entry of ``frame_inds``."""
        offset = results.get('offset', 0)
        return [
            osp.join(results['frame_dir'],
                     results['filename_tmpl'].format(int(i) + offset))
            for i in np.asarray(results['frame_inds']).reshape(-1)
        ]

    def _first_bad_frame(self, results: Dict) -> str:
        """Names the first frame file that is missing or does not decode."""
        for path in self._frame_paths(results):
            if not osp.isfile(path):
                return f'frame file not found: {path}'
            with open(path, 'rb') as f:
                content = f.read()
            try:
                image = mmcv.imfrombytes(content) if content else None
            except Exception:  # cv2.error for some malformed bytes
                image = None
            if image is None:
                return f'frame file does not decode as an image: {path}'
        return f'frames of {results["frame_dir"]}'

    def transform(self, results: Dict) -> Dict:
        """Reads the frames at ``frame_inds`` from ``frame_dir``.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        self.policy.check(results, results.get('frame_dir', '?'))
        rgb = results.get('modality', 'RGB') == 'RGB'
        try:
            results = super().transform(results)
        except Exception as err:
            where = (self._first_bad_frame(results) if rgb else
                     f'frames of {results.get("frame_dir")}')
            raise VideoReadError(f'{where} ({_one_line(err)})') from err
        if rgb and any(img is None for img in results['imgs']):
            raise VideoReadError(self._first_bad_frame(results))
        return results
