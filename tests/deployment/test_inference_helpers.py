"""Pipelines for frames in memory, label maps, top-k and their errors."""
import numpy as np
import pytest

import hallucinet_mm  # noqa: F401
from hallucinet_mm.deployment.inference import (OnnxStudent, frames_input,
                                                frames_pipeline,
                                                frames_per_clip, to_tuples,
                                                top_k)
from hallucinet_mm.datasets.transforms.image_reader import read_image
from hallucinet_mm.deployment.sources import image_folder_files, load_label_map


def _pipeline(sampler):
    return [
        dict(type='DecordInit'), sampler,
        dict(type='DecordDecode'),
        dict(
            type='SplitStudentTeacher',
            student_pipeline=[dict(type='CenterCrop', crop_size=8)]),
        dict(type='FormatShape', input_format='NCHW'),
        dict(type='PackActionInputs', collect_keys=('imgs', ))
    ]


def test_two_frame_pipeline_on_frames_in_memory():
    pipeline = _pipeline(
        dict(type='PairFrameSampler', with_teacher=False, test_mode=True))
    assert frames_per_clip(pipeline) == 4  # default pair_offset=3
    assert frames_per_clip(_pipeline(dict(type='SingleFrameSampler'))) == 1
    frames = [np.full((10, 12, 3), i, np.uint8) for i in range(4)]
    packed = frames_pipeline(pipeline, frames)(frames_input(frames, 'cam'))
    imgs = packed['inputs']['imgs']
    assert tuple(imgs.shape) == (2, 3, 8, 8)
    assert imgs[:, 0, 0, 0].tolist() == [0, 3]  # frames j and j + 3


def test_pipeline_errors_and_json_round_trip():
    with pytest.raises(ValueError, match="no \\*Decode step.*'Resize'"):
        frames_pipeline([dict(type='Resize', scale=(8, 8))], [])
    assert to_tuples([dict(scale=[1, 2], x=[dict(a=[3])])]) == (dict(
        scale=(1, 2), x=(dict(a=(3, )), )), )


def test_top_k_and_label_map(tmp_path):
    scores = np.array([0.1, 0.5, 0.4])
    assert [p['label'] for p in top_k(scores, 2, ['a', 'b', 'c'])] == [
        'b', 'c'
    ]
    assert top_k(scores, 1)[0] == dict(index=1, label='1', score=0.5)
    with pytest.raises(ValueError, match='2 names but the model scores 3'):
        top_k(scores, 1, ['a', 'b'])
    labels = tmp_path / 'labels.txt'
    labels.write_text('a\nb\n\n')  # trailing blank lines end the map
    assert load_label_map(str(labels)) == ['a', 'b']
    labels.write_text('a\n\nb\n')  # a gap would shift the later indices
    with pytest.raises(ValueError, match='labels.txt:2: blank line'):
        load_label_map(str(labels))
    labels.write_text('\n')
    with pytest.raises(ValueError, match='labels.txt holds no class names'):
        load_label_map(str(labels))
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        load_label_map(str(tmp_path / 'nope.txt'))


def test_image_errors(tmp_path):
    bad = tmp_path / 'bad.jpg'
    bad.write_bytes(b'not an image')
    with pytest.raises(ValueError, match='bad.jpg: OpenCV cannot decode'):
        read_image(str(bad))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(ValueError, match='empty holds no image'):
        image_folder_files(str(tmp_path / 'empty'))


def test_onnx_without_pipeline_names_the_file(tmp_path, tiny_student):
    pytest.importorskip('onnxruntime')
    from hallucinet_mm.deployment import export_student_onnx
    from mmaction.apis import init_recognizer
    model = init_recognizer(
        tiny_student['config'], tiny_student['checkpoint'], device='cpu')
    out = export_student_onnx(
        model, str(tmp_path / 'bare.onnx'), input_shape=(1, 1, 3, 32, 32))
    with pytest.raises(KeyError, match='bare.onnx records no test_pipeline'):
        OnnxStudent(out)


def test_label_map_must_match_the_head(tmp_path):
    """A label map is checked as a whole against the model's class count."""
    labels = tmp_path / 'labels.txt'
    labels.write_text('a\nb\nc\n')
    assert load_label_map(str(labels), 3) == ['a', 'b', 'c']
    with pytest.raises(ValueError, match=r'labels.txt.*3.*2|2.*3'):
        load_label_map(str(labels), 2)
    labels.write_text('a\nb\na\n')
    with pytest.raises(ValueError, match='labels.txt'):
        load_label_map(str(labels))
