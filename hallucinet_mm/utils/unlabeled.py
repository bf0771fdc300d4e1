# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The marker of samples without a label (semi-supervised hallucination)."""

#: The ``label`` of a sample from an unlabeled list
#: (``UnlabeledVideoDataset``). Main-task losses and metrics skip such
#: samples; the hallucination loss uses them.
UNLABELED = -1


def is_unlabeled(data_sample) -> bool:
    """Whether an ``ActionDataSample`` comes from an unlabeled list.

    Args:
        data_sample (ActionDataSample): A packed sample.

    Returns:
        bool: True if its ``gt_label`` is :data:`UNLABELED`.
    """
    label = data_sample.get('gt_label')
    return label is not None and bool((label == UNLABELED).all())
