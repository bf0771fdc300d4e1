"""hallucinet_mm.deployment.quantization on a small ONNX model."""
import json
from collections import Counter

import numpy as np
import pytest
import torch
import torch.nn as nn

from hallucinet_mm.deployment import read_onnx_metadata

pytest.importorskip('onnxruntime')
quantization = pytest.importorskip('hallucinet_mm.deployment.quantization')


class _Student(nn.Module):
    """(N, 1, 3, 16, 16) frames to 4 logits, as an exported student."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.fc = nn.Linear(8, 4)

    def forward(self, imgs):
        x = torch.relu(self.conv(imgs.flatten(0, 1)))
        x = torch.relu(self.conv2(x)).mean((2, 3))
        return self.fc(x)


def _frames(count, seed=0):
    """Smooth 'frames' (not white noise), normalised, float32."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(count, 1, 3, 4, 4)).astype(np.float32)
    return [x for x in base.repeat(4, -1).repeat(4, -2)[:, None]]


@pytest.fixture(scope='module')
def fp32_file(tmp_path_factory):
    import onnx
    torch.manual_seed(0)
    path = str(tmp_path_factory.mktemp('q') / 'student.onnx')
    with torch.no_grad():
        torch.onnx.export(
            _Student().eval(), (torch.zeros(1, 1, 3, 16, 16), ), path,
            dynamo=False, opset_version=17, input_names=['imgs'],
            output_names=['scores'],
            dynamic_axes=dict(imgs={0: 'batch'}, scores={0: 'batch'}))
    model = onnx.load(path)
    for key, value in dict(num_frames=1, mean=[1.0, 2.0, 3.0],
                           classes=['a', 'b', 'c', 'd']).items():
        model.metadata_props.add(key=key, value=json.dumps(value))
    onnx.save(model, path)
    return path


def _session(path):
    import onnxruntime as ort
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    return lambda x: session.run(None, {'imgs': x})[0]


def test_calibration_reader_feeds_every_input_and_rewinds():
    frames = _frames(3)
    reader = quantization.FrameCalibrationReader(frames, 'imgs')
    assert len(reader) == 3
    fed = [reader.get_next() for _ in range(4)]
    assert fed[3] is None
    for feed, frame in zip(fed, frames):
        assert list(feed) == ['imgs'] and feed['imgs'].dtype == np.float32
        np.testing.assert_array_equal(feed['imgs'], frame)
    reader.rewind()
    np.testing.assert_array_equal(reader.get_next()['imgs'], frames[0])


def test_calibration_reader_refuses_no_inputs():
    with pytest.raises(ValueError, match='no calibration inputs'):
        quantization.FrameCalibrationReader([])


def test_quantize_student_qdq_per_channel_keeps_metadata(fp32_file,
                                                         tmp_path):
    import onnx
    out = str(tmp_path / 'sub' / 'student_int8.onnx')
    reader = quantization.FrameCalibrationReader(_frames(8), 'imgs')
    assert quantization.quantize_student(fp32_file, out, reader) == out
    model = onnx.load(out)
    ops = Counter(node.op_type for node in model.graph.node)
    assert ops['QuantizeLinear'] >= 3 and ops['DequantizeLinear'] >= 6
    inits = {t.name: t for t in model.graph.initializer}
    # Per-channel weights: a conv weight's DequantizeLinear has one scale
    # per output channel (axis 0) and INT8 values.
    conv_weights = [
        n for n in model.graph.node if n.op_type == 'DequantizeLinear'
        and n.input[0] in inits and len(inits[n.input[0]].dims) == 4
    ]
    assert len(conv_weights) == 2
    for node in conv_weights:
        assert list(inits[node.input[1]].dims) == [8]
        assert inits[node.input[0]].data_type == onnx.TensorProto.INT8
    fp32_meta, int8_meta = map(read_onnx_metadata, (fp32_file, out))
    assert {k: int8_meta[k] for k in fp32_meta} == fp32_meta
    record = int8_meta['quantization']
    assert record['format'] == 'QDQ' and record['calibration_inputs'] == 8
    assert record['weights'] == 'int8, per channel'
    assert record['source'] == 'student.onnx'
    # Close to float32 on frames like the calibration's.
    check = quantization.compare_logits(
        _session(fp32_file), _session(out), _frames(8, seed=1))
    assert check['finite'] and check['num_inputs'] == 8
    assert check['max_abs_logit_diff'] < 0.1 * max(
        check['reference_logit_range'], 1e-3)


def test_quantize_student_refuses_unknown_method(fp32_file, tmp_path):
    reader = quantization.FrameCalibrationReader(_frames(1))
    with pytest.raises(ValueError, match="unknown calibration method 'kl'"):
        quantization.quantize_student(fp32_file, str(tmp_path / 'q.onnx'),
                                      reader, calibrate_method='kl')


def test_compare_logits_agreement_and_largest_difference():
    inputs = [np.array([[0.0, 1.0, 2.0]]), np.array([[3.0, 1.0, 0.0]])]
    shifted = quantization.compare_logits(lambda x: x, lambda x: x + 0.5,
                                          inputs)
    assert shifted == dict(num_inputs=2, top1_agreement=1.0,
                           max_abs_logit_diff=0.5,
                           reference_logit_range=3.0, finite=True)
    flipped = quantization.compare_logits(lambda x: x, lambda x: -x, inputs)
    assert flipped['top1_agreement'] == 0.0
    assert flipped['max_abs_logit_diff'] == 6.0
    broken = quantization.compare_logits(lambda x: x, lambda x: x * np.nan,
                                         inputs)
    assert not broken['finite']
    with pytest.raises(ValueError, match='no inputs'):
        quantization.compare_logits(lambda x: x, lambda x: x, [])


def test_histogram_calibration_of_a_constant_activation_is_explained(
        fp32_file, tmp_path, monkeypatch):
    import onnxruntime.quantization as ort_quantization

    def fails(*args, **kwargs):  # what numpy raises on a constant tensor
        raise ValueError('Too many bins for data range. Cannot create 2048 '
                         'finite-sized bins.')

    monkeypatch.setattr(ort_quantization, 'quantize_static', fails)
    reader = quantization.FrameCalibrationReader(_frames(1))
    with pytest.raises(ValueError, match='percentile calibration of .*'
                       'student.onnx failed: an activation takes one value'):
        quantization.quantize_student(fp32_file, str(tmp_path / 'q.onnx'),
                                      reader)
