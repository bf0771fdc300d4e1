# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Config helpers for the tools."""


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
