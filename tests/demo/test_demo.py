"""demo/demo.py on a real H.264 video, an image, a folder and a stream."""
import json
import os
import re
import sys

import cv2
import numpy as np
import pytest

from tests.deployment.student_fixtures import LABELS
from tests.deployment.student_fixtures import run_cli

demo = pytest.importorskip('demo.demo')


def _model_args(student):
    return [
        '--config', student['config'], '--checkpoint', student['checkpoint'],
        '--label-map', student['label_map']
    ]


def _top(output):
    """(label, score) pairs printed by the demo, in order."""
    return [(m[0], float(m[1]))
            for m in re.findall(r'\d+\. (\w+): ([\d.]+)', output)]


def test_video_cli_decodes_only_sampled_frames_and_writes_video(
        tiny_student, tmp_path):
    out = tmp_path / 'annotated.mp4'
    torch_home = tmp_path / 'torch_home'
    env = dict(TORCH_HOME=str(torch_home))
    log = run_cli([
        sys.executable, 'demo/demo.py', tiny_student['video'],
        *_model_args(tiny_student), '--top-k', '5', '--out-file',
        str(out)
    ], env=env)
    top = _top(log)
    assert sorted(label for label, _ in top) == LABELS
    assert [score for _, score in top] == sorted(
        (score for _, score in top), reverse=True)
    assert not torch_home.exists()  # no ImageNet weight download
    capture = cv2.VideoCapture(str(out))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 120
    capture.release()


def test_only_the_student_frame_is_decoded(tiny_student, monkeypatch,
                                           capsys):
    import decord
    asked = []
    get_batch = decord.VideoReader.get_batch

    def spy(self, indices):
        asked.append(list(indices))
        return get_batch(self, indices)

    monkeypatch.setattr(decord.VideoReader, 'get_batch', spy)
    assert demo.main([tiny_student['video'], *_model_args(tiny_student)]) == 0
    assert asked == [[60]]  # the centre frame of 120
    assert len(_top(capsys.readouterr().out)) == 5


def test_image_and_folder(tiny_student, tmp_path, capsys):
    out = tmp_path / 'annotated.jpg'
    assert demo.main([
        tiny_student['image'], *_model_args(tiny_student), '--out-file',
        str(out)
    ]) == 0
    image_top = _top(capsys.readouterr().out)
    assert cv2.imread(str(out)).shape == (144, 176, 3)
    # A folder of 4 frames is one clip: its centre frame is that image.
    assert demo.main([tiny_student['frame_dir'],
                      *_model_args(tiny_student)]) == 0
    assert _top(capsys.readouterr().out) == image_top
    # The image is the video's centre frame (lossless): same scores.
    assert demo.main([tiny_student['video'], *_model_args(tiny_student)]) == 0
    assert _top(capsys.readouterr().out) == image_top


def test_onnx_matches_pytorch(tiny_student, tiny_student_onnx, capsys):
    assert demo.main([tiny_student['video'], *_model_args(tiny_student)]) == 0
    torch_top = _top(capsys.readouterr().out)
    assert demo.main([
        tiny_student['video'], '--onnx', tiny_student_onnx['onnx'],
        '--label-map', tiny_student['label_map']
    ]) == 0
    onnx_top = _top(capsys.readouterr().out)
    assert [label for label, _ in onnx_top] == [
        label for label, _ in torch_top
    ]
    np.testing.assert_allclose([s for _, s in onnx_top],
                               [s for _, s in torch_top],
                               atol=1e-4)


def test_batch_writes_json_and_reports_bad_inputs(tiny_student,
                                                  tiny_student_onnx, tmp_path):
    videos = tmp_path / 'videos.txt'
    videos.write_text('\n'.join(
        [tiny_student['video'], tiny_student['video2'],
         tiny_student['image']]) + '\n')
    out = tmp_path / 'results.json'
    args = ['--batch', str(videos), '--out-json', str(out), '--onnx',
            tiny_student_onnx['onnx'], '--label-map',
            tiny_student['label_map']]
    assert demo.main(args) == 0
    results = json.loads(out.read_text())
    assert results['backend'] == 'onnxruntime'
    assert [r['input'] for r in results['results']] == videos.read_text(
    ).split()
    assert all(len(r['top_k']) == 5 for r in results['results'])
    with open(videos, 'a') as f:
        f.write(str(tmp_path / 'missing.mp4') + '\n')
    assert demo.main(args) == 1
    last = json.loads(out.read_text())['results'][-1]
    assert 'missing.mp4' in last['error']


def test_stream(tiny_student, tmp_path, capsys):
    """A stream source (here the video file, read by OpenCV)."""
    out = tmp_path / 'live.mp4'
    assert demo.main([
        tiny_student['video'], '--stream', '--every', '30', '--max-frames',
        '61', '--out-file',
        str(out), *_model_args(tiny_student)
    ]) == 0
    log = capsys.readouterr().out
    assert re.findall(r'frame (\d+):', log) == ['0', '30', '60']
    assert os.path.getsize(out) > 0


def test_argument_errors(tiny_student):
    with pytest.raises(SystemExit):
        demo.parse_args([tiny_student['video']])  # no model
    with pytest.raises(FileNotFoundError, match='nothing.mp4'):
        demo.main(['nothing.mp4', *_model_args(tiny_student)])
