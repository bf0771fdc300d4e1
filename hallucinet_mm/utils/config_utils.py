# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Config helpers for the tools, the teacher and the store's spec."""
from typing import Union

from mmengine.config import Config


def pipeline_collects(pipeline, key: str) -> bool:
    """Whether a pipeline's ``PackActionInputs`` collects ``key``."""
    for transform in pipeline or []:
        if transform.get('type') == 'PackActionInputs':
            return key in (transform.get('collect_keys') or ())
    return False


def drop_unused_teacher(cfg) -> bool:
    """Removes the teacher from a test config whose pipeline never feeds it.

    Testing needs only the student unless the test pipeline carries teacher
    clips (for the hallucination-loss metric). Without this the teacher's
    checkpoint would have to exist, be loaded and moved to the device for
    nothing.

    Args:
        cfg (Config): The config; ``cfg.model.teacher`` is set to None.

    Returns:
        bool: True if the teacher was dropped.
    """
    model = cfg.get('model', {})
    if model.get('type') != 'HalluciNetRecognizer' or not model.get('teacher'):
        return False
    pipeline = cfg.test_dataloader.dataset.get('pipeline')
    if pipeline_collects(pipeline, 'teacher_imgs'):
        return False
    cfg.model.teacher = None
    return True


def load_model_cfg(model: Union[dict, str]) -> dict:
    """A model config from a dict or from a config file's ``model``.

    Args:
        model (dict | str): A model config, or a config file path
            (``mmaction::`` prefix allowed) whose ``model`` is used.

    Returns:
        dict: The model config.
    """
    if isinstance(model, str):
        if '::' in model:  # a package's config, e.g. 'mmaction::...'
            from mmengine.hub import get_config
            return get_config(model).model.to_dict()
        return Config.fromfile(model).model.to_dict()
    return dict(model)
