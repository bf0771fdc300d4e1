# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Run a trained student on a video file or on frames in memory.

Two back ends share one input path, the config's test pipeline:

* :class:`TorchStudent`: MMAction2's ``init_recognizer`` and
  ``inference_recognizer`` (no teacher is built);
* :class:`OnnxStudent`: an ONNX file of
  :func:`~hallucinet_mm.deployment.export_student_onnx` in ONNX Runtime;
  its test pipeline, mean and std come from the file's metadata.

A video file runs through the whole test pipeline, whose sampler picks the
student frames and whose decode step decodes only those. Frames already in
memory (an image, a folder of images, the last frames of a camera) run
through the same pipeline with its ``*Init`` steps dropped and its
``*Decode`` step replaced by :class:`TakeFrames`.
"""
from abc import ABC, abstractmethod
import copy
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope


def to_tuples(value):
    """Lists to tuples, recursively (pipelines read back from JSON)."""
    if isinstance(value, list):
        return tuple(to_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: to_tuples(v) for k, v in value.items()}
    return value


def config_test_pipeline(cfg) -> List[dict]:
    """A config's test pipeline: ``test_pipeline``, else the test set's.

    Raises:
        KeyError: If the config has neither (the error names its file).
    """
    pipeline = cfg.get('test_pipeline')
    if pipeline is None:
        dataset = cfg.get('test_dataloader', {}).get('dataset', {})
        pipeline = dataset.get('pipeline')
    if not pipeline:
        raise KeyError(
            f'config {cfg.filename or "(in memory)"} has no test pipeline: '
            'set test_pipeline or test_dataloader.dataset.pipeline')
    return [dict(t) for t in copy.deepcopy(pipeline)]


def _type_name(transform: dict) -> str:
    kind = transform.get('type', '')
    return kind if isinstance(kind, str) else kind.__name__


class TakeFrames:
    """Stands for a decode step: picks ``frame_inds`` out of given frames.

    Args:
        frames (Sequence[np.ndarray]): RGB frames (H, W, 3), in order.
    """

    def __init__(self, frames: Sequence[np.ndarray]) -> None:
        self.frames = list(frames)

    def __call__(self, results: Dict) -> Dict:
        start = results.get('start_index', 0)
        imgs = [self.frames[i - start] for i in results['frame_inds']]
        results['imgs'] = imgs
        results['original_shape'] = imgs[0].shape[:2]
        results['img_shape'] = imgs[0].shape[:2]
        return results


def frames_pipeline(pipeline: List[dict],
                    frames: Sequence[np.ndarray]) -> Compose:
    """The test pipeline for frames in memory.

    Args:
        pipeline (list[dict]): The test pipeline of a video (``*Init``,
            sampler, ``*Decode``, ...).
        frames (Sequence[np.ndarray]): The RGB frames.

    Returns:
        Compose: The pipeline without ``*Init`` steps and with
        :class:`TakeFrames` in place of the ``*Decode`` step.

    Raises:
        ValueError: If the pipeline has no decode step.
    """
    steps, decoded = [], False
    for transform in pipeline:
        name = _type_name(transform)
        if name.endswith('Init'):
            continue
        if name.endswith('Decode'):
            steps.append(TakeFrames(frames))
            decoded = True
        else:
            steps.append(transform)
    if not decoded:
        names = [_type_name(t) for t in pipeline]
        raise ValueError('the test pipeline has no *Decode step to replace '
                         f'with in-memory frames: {names}')
    init_default_scope('mmaction')
    return Compose(steps)


def frames_per_clip(pipeline: List[dict]) -> int:
    """The fewest frames the pipeline's sampler needs (camera buffer): 1,
    or ``pair_offset + 1`` for a two-frame sampler."""
    from mmaction.registry import TRANSFORMS
    for transform in pipeline:
        if _type_name(transform).endswith('Sampler'):
            offset = getattr(TRANSFORMS.build(transform), 'pair_offset', None)
            return int(offset) + 1 if offset else 1
    return 1


def video_input(path: str) -> Dict:
    """The pipeline input for a video file (as ``inference_recognizer``)."""
    return dict(filename=path, label=-1, start_index=0, modality='RGB')


def frames_input(frames: Sequence[np.ndarray], name: str) -> Dict:
    """The pipeline input for frames in memory."""
    return dict(
        filename=name,
        total_frames=len(frames),
        label=-1,
        start_index=0,
        modality='RGB')


def packed_imgs(packed: Dict):
    """The student frames (S, C, H, W) of a ``PackActionInputs`` output
    (``inputs`` is a tensor, or a dict with ``collect_keys``)."""
    inputs = packed['inputs']
    return inputs['imgs'] if isinstance(inputs, dict) else inputs


def top_k(scores: np.ndarray,
          k: int,
          labels: Optional[Sequence[str]] = None) -> List[Dict]:
    """The ``k`` best classes: ``index``, ``label`` and ``score``."""
    if labels is not None and len(labels) != len(scores):
        raise ValueError(f'the label map has {len(labels)} names but the '
                         f'model scores {len(scores)} classes')
    order = np.argsort(-scores, kind='stable')[:k]
    return [
        dict(
            index=int(i),
            label=labels[i] if labels is not None else str(int(i)),
            score=float(scores[i])) for i in order
    ]


class StudentBase(ABC):
    """Scores of one clip, from a video file or from frames in memory."""

    pipeline_cfg: List[dict]
    #: The number of class scores, when the model states it (else None).
    num_classes: Optional[int] = None

    @abstractmethod
    def scores(self, data: Dict, pipeline: Compose) -> np.ndarray:
        """Class scores of one pipeline input (each back-end's own)."""

    def predict_video(self, path: str) -> np.ndarray:
        """Class scores of a video file (only the sampled frames are
        decoded)."""
        init_default_scope('mmaction')
        return self.scores(video_input(path), Compose(self.pipeline_cfg))

    def predict_frames(self, frames: Sequence[np.ndarray],
                       name: str = 'frames') -> np.ndarray:
        """Class scores of RGB frames in memory (an image is one frame)."""
        return self.scores(
            frames_input(frames, name),
            frames_pipeline(self.pipeline_cfg, frames))


class TorchStudent(StudentBase):
    """A student checkpoint in PyTorch, through MMAction2's inference API.

    Args:
        config (str | Config): The plugin config.
        checkpoint (str): The trained student's checkpoint.
        device (str): Defaults to ``'cpu'``.
        cfg_options (dict, optional): Overrides merged into the config.
            Defaults to None.
    """

    def __init__(self,
                 config,
                 checkpoint: str,
                 device: str = 'cpu',
                 cfg_options: Optional[Dict] = None) -> None:
        from mmengine.config import Config

        from mmaction.apis import init_recognizer
        cfg = Config.fromfile(config) if isinstance(config, str) else config
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
        self.model = init_recognizer(cfg, checkpoint, device=device)
        self.pipeline_cfg = config_test_pipeline(cfg)
        self.num_classes = getattr(self.model.cls_head, 'num_classes', None)

    def scores(self, data: Dict, pipeline: Compose) -> np.ndarray:
        from mmaction.apis import inference_recognizer
        result = inference_recognizer(self.model, data, test_pipeline=pipeline)
        return result.pred_score.cpu().numpy()


class OnnxStudent(StudentBase):
    """An exported student in ONNX Runtime (CPU).

    Args:
        onnx_file (str): From :func:`export_student_onnx` (via
            ``tools/deployment/export_onnx.py``, which records the test
            pipeline in the metadata).
        pipeline (list[dict], optional): A test pipeline to use instead of
            the one in the metadata. Defaults to None.
        threads (int, optional): ONNX Runtime intra-op threads. Defaults to
            None (ONNX Runtime's choice).

    Raises:
        KeyError: If the file records no test pipeline and none is given.
    """

    def __init__(self,
                 onnx_file: str,
                 pipeline: Optional[List[dict]] = None,
                 threads: Optional[int] = None) -> None:
        import onnxruntime as ort

        from .onnx_export import read_onnx_metadata
        self.meta = read_onnx_metadata(onnx_file)
        if pipeline is None:
            if 'test_pipeline' not in self.meta:
                raise KeyError(f'{onnx_file} records no test_pipeline in its '
                               'metadata: pass the config (--config)')
            pipeline = to_tuples(self.meta['test_pipeline'])
        self.pipeline_cfg = [dict(t) for t in pipeline]
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.onnx_file = onnx_file
        self.session = ort.InferenceSession(
            onnx_file, options, providers=['CPUExecutionProvider'])
        self.input_name = self.session.get_inputs()[0].name
        self.input_shape = self.session.get_inputs()[0].shape
        classes = self.session.get_outputs()[0].shape[-1]
        self.num_classes = classes if isinstance(classes, int) else None
        mean, std = self.meta.get('mean'), self.meta.get('std')
        self.mean = None if mean is None else np.asarray(
            mean, np.float32).reshape(1, 1, -1, 1, 1)
        self.std = None if std is None else np.asarray(
            std, np.float32).reshape(1, 1, -1, 1, 1)

    def preprocess(self, imgs: np.ndarray) -> np.ndarray:
        """(S, C, H, W) packed frames to the normalised (1, S, C, H, W)."""
        x = np.asarray(imgs, dtype=np.float32)[None]
        if self.meta.get('to_rgb'):
            x = x[:, :, ::-1]
        if self.mean is not None:
            x = (x - self.mean) / self.std
        expected = self.meta.get('num_frames')
        if expected is not None and x.shape[1] != expected:
            raise ValueError(
                f'the test pipeline gave {x.shape[1]} frames but the ONNX '
                f'student was exported for {expected}')
        return np.ascontiguousarray(x)

    def check_input(self, x: np.ndarray) -> None:
        """Raises ValueError naming the file and both shapes unless ``x``
        fits the model's input (symbolic axes, such as the batch, fit any
        size)."""
        expected = self.input_shape
        fits = len(x.shape) == len(expected) and all(
            not isinstance(want, int) or want == got
            for want, got in zip(expected, x.shape))
        if not fits:
            shown = tuple(d if isinstance(d, int) else str(d)
                          for d in expected)
            raise ValueError(
                f'{self.onnx_file} expects input {self.input_name!r} of '
                f'shape {shown}, got {tuple(x.shape)}: the test pipeline '
                'must crop the size the student was exported for')

    def run(self, x: np.ndarray) -> np.ndarray:
        """Logits of normalised (N, S, C, H, W) frames.

        Raises:
            ValueError: If ``x`` does not fit the model's input shape.
        """
        self.check_input(x)
        return self.session.run(None, {self.input_name: x})[0]

    def prepare(self, data: Dict, pipeline: Compose) -> np.ndarray:
        """The normalised (1, S, C, H, W) input of one pipeline input."""
        packed = pipeline(copy.deepcopy(data))
        return self.preprocess(packed_imgs(packed).numpy())

    def prepare_video(self, path: str) -> np.ndarray:
        """The normalised (1, S, C, H, W) input of a video file, through
        the test pipeline (as :meth:`predict_video`)."""
        init_default_scope('mmaction')
        return self.prepare(video_input(path), Compose(self.pipeline_cfg))

    def scores(self, data: Dict, pipeline: Compose) -> np.ndarray:
        logits = self.run(self.prepare(data, pipeline))[0]
        if self.meta.get('average_clips') == 'prob':
            exp = np.exp(logits - logits.max())
            return exp / exp.sum()
        return logits
