"""MMAction2's inference API and complexity counter on a plugin config with
a student checkpoint: no teacher checkpoint, no weight download."""
import pytest
import torch
from mmengine.analysis import get_model_complexity_info

from hallucinet_mm.deployment.inference import (config_test_pipeline,
                                                frames_input,
                                                frames_pipeline)
from hallucinet_mm.datasets.transforms.image_reader import read_image
from mmaction.apis import inference_recognizer, init_recognizer


@pytest.fixture
def model(tiny_student, tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    model = init_recognizer(
        tiny_student['config'], tiny_student['checkpoint'], device='cpu')
    yield model
    assert not (tmp_path / 'torch_home').exists()  # nothing downloaded
    assert model.__dict__['_teacher'] is None  # never built


def test_init_and_inference_recognizer_on_a_video(model, tiny_student):
    result = inference_recognizer(model, tiny_student['video'])
    assert result.pred_score.shape == (5, )
    assert float(result.pred_score.sum()) == pytest.approx(1, abs=1e-5)


def test_inference_recognizer_on_an_image(model, tiny_student):
    """An image is a one-frame video for the plugin's CheckedDecordInit;
    the frames-in-memory path gives the same. The image is the video's
    centre frame, saved losslessly: all three scores agree."""
    video = inference_recognizer(model, tiny_student['video']).pred_score
    image = inference_recognizer(model, tiny_student['image']).pred_score
    frames = [read_image(tiny_student['image'])]
    pipeline = frames_pipeline(config_test_pipeline(model.cfg), frames)
    in_memory = inference_recognizer(
        model, frames_input(frames, tiny_student['image']),
        pipeline).pred_score
    assert torch.allclose(image, video) and torch.equal(image, in_memory)


def test_get_model_complexity_info(model):
    """As MMAction2's tools/analysis_tools/get_flops.py calls it (the
    backbone through extract_feat), and through the whole student."""
    model.forward = model.extract_feat
    backbone = get_model_complexity_info(
        model, (1, 3, 32, 32), show_table=False, show_arch=False)
    model.forward = model._forward
    student = get_model_complexity_info(
        model, inputs=(torch.zeros(1, 1, 3, 32, 32), ), show_table=False,
        show_arch=False)
    assert 0 < backbone['flops'] < student['flops']
