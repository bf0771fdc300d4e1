# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Checks dataset labels against the classes of the model's head.

A label ``>= num_classes`` otherwise reaches the loss and fails there with
``IndexError: Target 6 is out of bounds`` and no file. The datasets check
the range at load time when they get ``num_classes``; this check does not
depend on that: it compares the labels of every dataset the runner built
with ``num_classes`` of the model's ``cls_head``, before the first
iteration (:class:`~hallucinet_mm.engine.hooks.CheckLabelRangeHook`), and
names the annotation file and line.
"""
import torch

from .checked_datasets import AnnotationError


def check_label_range(dataset, num_classes: int) -> int:
    """Checks that every ``label`` of a dataset lies in ``[0, num_classes)``.

    Args:
        dataset: A dataset whose data infos may hold ``label`` (an int, or a
            one-hot tensor for ``multi_class`` datasets) and ``ann_lineno``.
        num_classes (int): The classes of the model's head.

    Returns:
        int: The number of labels checked (0 for datasets without labels,
        e.g. MTL-AQA).

    Raises:
        AnnotationError: Naming the annotation file and line (or the sample
            index) of the first label out of range, and how many are.
    """
    ann_file = getattr(dataset, 'ann_file', type(dataset).__name__)
    if getattr(dataset, 'multi_class', False):
        if dataset.num_classes != num_classes:
            raise AnnotationError(
                f'{ann_file}: the multi-class dataset has num_classes='
                f'{dataset.num_classes}, the model head {num_classes}')
    if type(dataset).__name__ == 'UnlabeledVideoDataset':
        return 0  # a declared unlabeled list: every label is UNLABELED
    checked, bad = 0, []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        label = info.get('label')
        if label is None or isinstance(label, torch.Tensor):
            continue  # no label, or a one-hot checked above
        checked += 1
        if not 0 <= int(label) < num_classes:
            where = info.get('ann_lineno')
            bad.append((f'{ann_file}:{where}' if where is not None else
                        f'{ann_file} (sample {index})', int(label)))
    if bad:
        where, label = bad[0]
        raise AnnotationError(
            f'{where}: label {label} outside [0, {num_classes}) of the '
            f'model head; {len(bad)} label(s) of {ann_file} are out of '
            'range (is num_classes of the head or the list wrong?)')
    return checked
