# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Export a HalluciNet student (no teacher) to ONNX.

The exported graph is what runs at inference: the 2D backbone on every
frame, the per-step feature concatenation (``frames_per_step``), the
hallucination head when the classifier reads hallucinated features
(HalluciNet-direct, ``cls_feature='hallucinated'`` or ``'both'``) and the
main head. Its one input, ``imgs``, holds frames that are already resized,
cropped and normalised, laid out (N, S, C, H, W) with a dynamic N; its one
output, ``scores``, holds the head's logits (N, num_classes). How to
prepare the input (mean, std, size, frames per step ...) is written into
the ONNX model's ``metadata_props``, each value JSON-encoded; read it back
with :func:`read_onnx_metadata`.
"""
import json
import os
import os.path as osp
from typing import Any, Dict, Optional, Sequence

import torch
import torch.nn as nn

from ..version import __version__

INPUT_NAME = 'imgs'
OUTPUT_NAME = 'scores'
VARIANTS = dict(
    student='HalluciNet',
    hallucinated='HalluciNet-direct',
    both='HalluciNet-both')


class StudentExportWrapper(nn.Module):
    """The student path of a ``HalluciNetRecognizer`` as one tensor op.

    Args:
        model (HalluciNetRecognizer): The recognizer (its teacher, if any,
            is never run nor exported).
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        if not getattr(model, 'with_cls_head', False):
            raise ValueError(
                f'{type(model).__name__} has no cls_head: only a student '
                'with a main-task head can be exported')
        self.model = model

    def forward(self, imgs: torch.Tensor) -> torch.Tensor:
        """Logits of (N, S, C, H, W) normalised frames."""
        model = self.model
        feats, phi_s, steps = model.student_features(
            imgs,
            test_mode=True,
            hallucinate=model.cls_feature != 'student')
        return model.cls_head(model._cls_input(feats, phi_s), num_segs=steps)


def student_preprocess(model: nn.Module) -> Dict[str, Any]:
    """The student's input normalisation, read from its data preprocessor.

    Args:
        model (nn.Module): A recognizer whose ``data_preprocessor`` is an
            ``ActionDataPreprocessor`` or a ``MultiModalDataPreprocessor``
            with an ``imgs`` entry.

    Returns:
        dict: ``mean`` and ``std`` (lists on 0-255 pixels, or None without
        normalisation) and ``to_rgb`` (whether BGR input is flipped).
    """
    preprocessor = model.data_preprocessor
    if hasattr(preprocessor, 'preprocessors'):
        if 'imgs' not in preprocessor.preprocessors:
            raise KeyError('the MultiModalDataPreprocessor has no "imgs" '
                           'entry: cannot tell the student normalisation')
        preprocessor = preprocessor.preprocessors['imgs']
    normalize = getattr(preprocessor, '_enable_normalize', False)
    return dict(
        mean=preprocessor.mean.flatten().tolist() if normalize else None,
        std=preprocessor.std.flatten().tolist() if normalize else None,
        to_rgb=bool(getattr(preprocessor, 'to_rgb', False)))


def _check_input_shape(input_shape: Sequence[int],
                       frames_per_step: int) -> tuple:
    shape = tuple(int(v) for v in input_shape)
    if len(shape) != 5 or min(shape) < 1:
        raise ValueError('input_shape must be (N, S, C, H, W) with positive '
                         f'sizes, got {tuple(input_shape)}')
    if shape[1] % frames_per_step:
        raise ValueError(f'input_shape has S={shape[1]} frames, not a '
                         f'multiple of frames_per_step={frames_per_step}')
    return shape


def export_metadata(model: nn.Module,
                    input_shape: Sequence[int],
                    extra: Optional[Dict[str, Any]] = None) -> Dict[str, str]:
    """The metadata written into the ONNX file (JSON-encoded values).

    Args:
        model (nn.Module): The recognizer.
        input_shape (Sequence[int]): (N, S, C, H, W) of the export.
        extra (dict, optional): More entries (e.g. the label names or the
            test pipeline); they override the defaults. Defaults to None.

    Returns:
        dict[str, str]: Key to JSON text.
    """
    _, num_frames, channels, height, width = input_shape
    steps = num_frames // model.frames_per_step
    head = model.cls_head
    meta = dict(
        producer='hallucinet_mm',
        hallucinet_mm_version=__version__,
        variant=VARIANTS[model.cls_feature],
        cls_feature=model.cls_feature,
        input_name=INPUT_NAME,
        input_layout='NSCHW',
        input_normalized=True,
        input_size=[height, width],
        channels=channels,
        frames_per_step=model.frames_per_step,
        steps=steps,
        num_frames=num_frames,
        output_name=OUTPUT_NAME,
        output='logits',
        num_classes=getattr(head, 'num_classes', None),
        average_clips=getattr(head, 'average_clips', None),
        **student_preprocess(model))
    meta.update(extra or {})
    return {key: json.dumps(value) for key, value in meta.items()}


def load_onnx_model(onnx_file: str, load_external_data: bool = False):
    """Loads and checks an ONNX file, with errors that name it.

    Args:
        onnx_file (str): The ``.onnx`` file.
        load_external_data (bool): Whether to read tensors stored beside
            the file. Defaults to False.

    Returns:
        onnx.ModelProto: The model.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it is not a valid ONNX model (damaged, truncated or
            another kind of file): protobuf cannot parse it, or
            ``onnx.checker`` rejects what it parsed.
    """
    import onnx
    from google.protobuf.message import DecodeError
    if not osp.isfile(onnx_file):
        raise FileNotFoundError(f'ONNX file {onnx_file} does not exist')
    try:
        model = onnx.load(onnx_file, load_external_data=load_external_data)
        onnx.checker.check_model(model)
    except (DecodeError, onnx.checker.ValidationError) as err:
        raise ValueError(
            f'{onnx_file} is not a valid ONNX model (damaged or not an '
            f'.onnx file; export it again): {type(err).__name__}: '
            f'{str(err)[:300]}') from err
    return model


def read_onnx_metadata(onnx_file: str) -> Dict[str, Any]:
    """Reads back the metadata written by :func:`export_student_onnx`.

    Args:
        onnx_file (str): The ONNX file (float32, or INT8 from
            :func:`~hallucinet_mm.deployment.quantization.quantize_student`,
            which keeps the same entries).

    Returns:
        dict: Key to decoded value (text that is not JSON stays text).

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it is not a valid ONNX model
            (:func:`load_onnx_model`).
    """
    model = load_onnx_model(onnx_file)
    meta = {}
    for prop in model.metadata_props:
        try:
            meta[prop.key] = json.loads(prop.value)
        except json.JSONDecodeError:
            meta[prop.key] = prop.value
    return meta


def export_student_onnx(model: nn.Module,
                        out_file: str,
                        *,
                        input_shape: Sequence[int],
                        opset_version: int = 17,
                        metadata: Optional[Dict[str, Any]] = None) -> str:
    """Exports a HalluciNet student to ONNX, with a dynamic batch axis.

    Uses TorchScript-based ``torch.onnx.export(dynamo=False)``. The model
    is put in eval mode for the export and its previous mode is restored.

    Args:
        model (HalluciNetRecognizer): The trained recognizer.
        out_file (str): Where to write the ``.onnx`` file (folders are
            created).
        input_shape (Sequence[int]): (N, S, C, H, W) of the example input:
            S student frames (``steps * frames_per_step``) of C x H x W. N is
            exported as a dynamic axis.
        opset_version (int): ONNX opset. Defaults to 17.
        metadata (dict, optional): Extra JSON-serialisable entries for the
            model's ``metadata_props``. Defaults to None.

    Returns:
        str: ``out_file``.

    Raises:
        ValueError: If the model has no main head, or ``input_shape`` is
            not (N, S, C, H, W) with S a multiple of ``frames_per_step``.
        ImportError: If ``onnx`` is not installed
            (``pip install -r requirements/deploy.txt``).
    """
    try:
        import onnx
    except ImportError as err:
        raise ImportError('ONNX export needs onnx: pip install -r '
                          'requirements/deploy.txt') from err
    wrapper = StudentExportWrapper(model)
    shape = _check_input_shape(input_shape, model.frames_per_step)
    meta = export_metadata(model, shape, metadata)
    param = next(model.parameters())
    dummy = torch.randn(
        *shape, generator=torch.Generator().manual_seed(0)).to(param)
    out_dir = osp.dirname(osp.abspath(out_file))
    os.makedirs(out_dir, exist_ok=True)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            torch.onnx.export(
                wrapper, (dummy, ),
                out_file,
                dynamo=False,
                opset_version=opset_version,
                input_names=[INPUT_NAME],
                output_names=[OUTPUT_NAME],
                dynamic_axes={
                    INPUT_NAME: {
                        0: 'batch'
                    },
                    OUTPUT_NAME: {
                        0: 'batch'
                    }
                })
    finally:
        model.train(was_training)
    onnx_model = onnx.load(out_file)
    del onnx_model.metadata_props[:]
    for key, value in meta.items():
        onnx_model.metadata_props.add(key=key, value=value)
    onnx.save(onnx_model, out_file)
    return out_file
