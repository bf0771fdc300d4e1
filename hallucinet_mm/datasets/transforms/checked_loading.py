# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Video opening with errors that name the file."""
from typing import Dict

from mmaction.datasets.transforms import DecordInit
from mmaction.registry import TRANSFORMS


class VideoReadError(IOError):
    """A video file that is missing, unreadable or empty."""


@TRANSFORMS.register_module()
class CheckedDecordInit(DecordInit):
    """:class:`mmaction.datasets.transforms.DecordInit` naming bad files.

    A missing file, a file decord cannot open (corrupt or not a video) and
    a video with no frames raise :class:`VideoReadError` with the path.

    Args:
        **kwargs: See :class:`mmaction.datasets.transforms.DecordInit`.
    """

    def transform(self, results: Dict) -> Dict:
        """Opens the video and records ``total_frames``.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
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
