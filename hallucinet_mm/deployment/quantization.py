# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Static INT8 quantization of an exported student, with ONNX Runtime.

:func:`quantize_student` turns the float32 file of
:func:`~hallucinet_mm.deployment.export_student_onnx` into an INT8 one with
``onnxruntime.quantization.quantize_static``: QDQ format (QuantizeLinear /
DequantizeLinear pairs around each quantized operator, which ONNX Runtime
fuses into integer kernels), INT8 weights with one scale per output channel,
UINT8 activations with one scale per tensor, fixed from the ranges the
activations take on calibration inputs (:class:`FrameCalibrationReader`).
The calibration inputs are normalised frames of real videos, as the test
pipeline produces them (:func:`video_arrays`); a random tensor would give
the wrong activation ranges. The INT8 file keeps every ``metadata_props``
entry of the float32 file (so ``OnnxStudent`` and ``demo/demo.py --onnx``
read it unchanged) and adds one, ``quantization``, which records how it
was made.

:func:`compare_logits` measures what the quantization changed: the top-1
agreement with float32 and the largest logit difference.
"""
import json
import os
import os.path as osp
import tempfile
from typing import Callable, Dict, Iterable, List, Optional, Sequence

import numpy as np

#: ``quantize_static``'s calibration methods, the default first.
CALIBRATION_METHODS = ('percentile', 'minmax', 'entropy')


def _calibration_reader_base():
    try:
        from onnxruntime.quantization import CalibrationDataReader
    except ImportError as err:
        raise ImportError('INT8 quantization needs onnxruntime: pip install '
                          '-r requirements/deploy.txt') from err
    return CalibrationDataReader


class FrameCalibrationReader(_calibration_reader_base()):
    """Feeds calibration inputs to ``quantize_static``, one at a time.

    Args:
        inputs (Iterable[np.ndarray]): Normalised float32 inputs of the
            model, each (N, S, C, H, W).
        input_name (str): The model's input name. Defaults to ``'imgs'``.

    Raises:
        ValueError: If there are no inputs.
    """

    def __init__(self, inputs: Iterable[np.ndarray],
                 input_name: str = 'imgs') -> None:
        self.inputs = [np.ascontiguousarray(x, np.float32) for x in inputs]
        if not self.inputs:
            raise ValueError('no calibration inputs: INT8 calibration needs '
                             'frames of at least one video')
        self.input_name = input_name
        self._next = 0

    def get_next(self) -> Optional[Dict[str, np.ndarray]]:
        """The next input feed, or None after the last."""
        if self._next >= len(self.inputs):
            return None
        self._next += 1
        return {self.input_name: self.inputs[self._next - 1]}

    def rewind(self) -> None:
        """Starts again from the first input."""
        self._next = 0

    def __len__(self) -> int:
        return len(self.inputs)


def video_arrays(student, videos: Sequence[str]) -> List[np.ndarray]:
    """The normalised inputs of videos, as the student's test pipeline and
    its metadata's mean and std make them (one clip per video).

    Args:
        student (OnnxStudent): The (float32) ONNX student.
        videos (Sequence[str]): Video files.

    Returns:
        list[np.ndarray]: One (1, S, C, H, W) float32 array per video.
    """
    return [student.prepare_video(video) for video in videos]


def _calibration_method(name: str):
    from onnxruntime.quantization import CalibrationMethod
    methods = dict(
        minmax=CalibrationMethod.MinMax,
        entropy=CalibrationMethod.Entropy,
        percentile=CalibrationMethod.Percentile)
    if name not in methods:
        raise ValueError(f'unknown calibration method {name!r}; choose from '
                         f'{CALIBRATION_METHODS}')
    return methods[name]


def copy_metadata(src_file: str, dst_file: str,
                  extra: Optional[Dict[str, object]] = None) -> None:
    """Writes ``src_file``'s ``metadata_props`` (and ``extra``,
    JSON-encoded) into ``dst_file``, replacing the entries it had."""
    import onnx

    from .onnx_export import load_onnx_model
    src = load_onnx_model(src_file)
    dst = load_onnx_model(dst_file, load_external_data=True)
    del dst.metadata_props[:]
    for prop in src.metadata_props:
        dst.metadata_props.add(key=prop.key, value=prop.value)
    for key, value in (extra or {}).items():
        dst.metadata_props.add(key=key, value=json.dumps(value))
    onnx.save(dst, dst_file)


def quantize_student(fp32_file: str,
                     out_file: str,
                     calibration: FrameCalibrationReader,
                     calibrate_method: str = 'percentile',
                     extra_metadata: Optional[Dict[str, object]] = None
                     ) -> str:
    """Static INT8 quantization (QDQ, per-channel weights) of an ONNX
    student, keeping its metadata.

    The float32 model first goes through ONNX Runtime's
    ``quant_pre_process`` (shape inference and graph optimisation, which
    folds BatchNorm into convolutions), then ``quantize_static`` with
    INT8 weights and UINT8 activations (U8S8): on x86 CPUs ONNX Runtime
    fuses every QDQ convolution of a MobileNetV3-small into a
    ``QLinearConv`` with it, while with INT8 activations (S8S8) it left the
    depthwise convolutions in float32 between Dequantize/Quantize pairs
    (seen in the optimised graph, ONNX Runtime 1.32).

    Args:
        fp32_file (str): The float32 ``.onnx`` file.
        out_file (str): Where to write the INT8 ``.onnx`` file (folders are
            created).
        calibration (FrameCalibrationReader): Real calibration inputs.
        calibrate_method (str): ``'percentile'`` (each activation's range
            without its most extreme 0.001 %), ``'minmax'`` (the whole
            observed range) or ``'entropy'``. Defaults to ``'percentile'``:
            on the main job's seed-0 students (100 validation videos) it
            kept top-1 agreement with float32 at 0.99 (ResNet-18) and 0.97
            (MobileNetV3-small), against 0.97 and 0.94 for ``'minmax'``.
        extra_metadata (dict, optional): More entries of the
            ``quantization`` record. Defaults to None.

    Returns:
        str: ``out_file``.

    Raises:
        FileNotFoundError: If ``fp32_file`` does not exist.
        ValueError: If it is not a valid ONNX model, the method is
            unknown, or a histogram method meets a constant activation.
    """
    from onnxruntime.quantization import (QuantFormat, QuantType,
                                          quant_pre_process, quantize_static)

    from .onnx_export import load_onnx_model
    load_onnx_model(fp32_file)  # a damaged file fails here, named
    method = _calibration_method(calibrate_method)
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        prepared = osp.join(tmp, 'prepared.onnx')
        quant_pre_process(fp32_file, prepared)
        calibration.rewind()
        try:
            quantize_static(
                prepared,
                out_file,
                calibration,
                quant_format=QuantFormat.QDQ,
                per_channel=True,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
                calibrate_method=method)
        except ValueError as err:
            if 'bins' not in str(err):
                raise
            raise ValueError(
                f'{calibrate_method} calibration of {fp32_file} failed: an '
                'activation takes one value on every calibration input, '
                f'which its histogram cannot bin ({err}); calibrate on more '
                "varied videos or with calibrate_method='minmax'") from err
    record = dict(
        tool='onnxruntime.quantization.quantize_static',
        format='QDQ',
        weights='int8, per channel',
        activations='uint8, per tensor',
        calibrate_method=calibrate_method,
        calibration_inputs=len(calibration),
        source=osp.basename(fp32_file))
    record.update(extra_metadata or {})
    copy_metadata(fp32_file, out_file, dict(quantization=record))
    return out_file


def compare_logits(reference: Callable[[np.ndarray], np.ndarray],
                   candidate: Callable[[np.ndarray], np.ndarray],
                   inputs: Sequence[np.ndarray]) -> Dict[str, object]:
    """How far a quantized model's logits are from the reference's.

    Args:
        reference (callable): Input array to (N, num_classes) logits (the
            float32 model).
        candidate (callable): The same for the INT8 model.
        inputs (Sequence[np.ndarray]): The inputs.

    Returns:
        dict: ``num_inputs``, ``top1_agreement`` (the fraction of inputs
        whose top-1 class is the same), ``max_abs_logit_diff`` (largest
        absolute logit difference), ``reference_logit_range`` (largest
        minus smallest reference logit) and ``finite`` (every candidate
        logit is finite).

    Raises:
        ValueError: If there are no inputs.
    """
    if len(inputs) == 0:
        raise ValueError('no inputs to compare the models on')
    want = np.concatenate([reference(x) for x in inputs])
    got = np.concatenate([candidate(x) for x in inputs])
    return dict(
        num_inputs=int(want.shape[0]),
        top1_agreement=float(
            np.mean(want.argmax(axis=1) == got.argmax(axis=1))),
        max_abs_logit_diff=float(np.abs(got - want).max()),
        reference_logit_range=float(want.max() - want.min()),
        finite=bool(np.isfinite(got).all()))
