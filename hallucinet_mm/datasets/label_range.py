# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Checks dataset labels against the classes of the model's head.

A label ``>= num_classes`` otherwise reaches the loss and fails there with
``IndexError: Target 6 is out of bounds`` and no file. The datasets check
the range at load time when they get ``num_classes``; this check does not
depend on that: it compares the labels of every dataset the runner built
with ``num_classes`` of the model's ``cls_head``, before the first
iteration, and names the annotation file and line.
"""
from typing import Iterator, List, Optional

import torch
from mmengine.dataset import ConcatDataset
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop

from mmaction.registry import HOOKS

from .checked_datasets import AnnotationError


def _leaf_datasets(dataset) -> Iterator:
    """The datasets inside mmengine's dataset wrappers."""
    if isinstance(dataset, ConcatDataset):
        for inner in dataset.datasets:
            yield from _leaf_datasets(inner)
    elif hasattr(dataset, 'dataset') and not hasattr(dataset, 'ann_file'):
        yield from _leaf_datasets(dataset.dataset)  # Repeat, ClassBalanced
    else:
        yield dataset


def head_num_classes(model) -> Optional[int]:
    """``num_classes`` of the model's ``cls_head``, or None without one."""
    if is_model_wrapper(model):
        model = model.module
    head = getattr(model, 'cls_head', None)
    num_classes = getattr(head, 'num_classes', None)
    return num_classes if isinstance(num_classes, int) else None


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


def ensure_label_range_hook(cfg) -> None:
    """Adds :class:`CheckLabelRangeHook` to ``cfg['custom_hooks']``.

    Tools call this so that no config (one that overrides
    ``custom_hooks``, say) can drop the check silently.

    Args:
        cfg (Config | dict): The runner config, changed in place.
    """
    hooks = list(cfg.get('custom_hooks', None) or [])
    if not any(h.get('type') in ('CheckLabelRangeHook', CheckLabelRangeHook)
               for h in hooks):
        hooks.append(dict(type='CheckLabelRangeHook'))
    cfg['custom_hooks'] = hooks


@HOOKS.register_module()
class CheckLabelRangeHook(Hook):
    """Checks the labels of every built dataset before the first iteration.

    Runs in ``before_run``, when the runner has built the loops of the
    current job (train and val, or test), so a bad label stops the job
    before any step or checkpoint. Models without a ``cls_head`` that has
    an int ``num_classes`` are logged as not checked.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        """Checks the labels of the built loops' datasets."""
        num_classes = head_num_classes(runner.model)
        datasets = self._datasets(runner)
        if num_classes is None:
            print_log(
                'CheckLabelRangeHook: the model has no cls_head with '
                'num_classes; labels are not checked', logger='current',
                level=30)
            return
        for dataset in datasets:
            count = check_label_range(dataset, num_classes)
            if count:
                print_log(
                    f'CheckLabelRangeHook: {count} labels of '
                    f'{getattr(dataset, "ann_file", "?")} lie in '
                    f'[0, {num_classes})', logger='current')

    @staticmethod
    def _datasets(runner) -> List:
        found = []
        for name in ('_train_loop', '_val_loop', '_test_loop'):
            loop = getattr(runner, name, None)
            if isinstance(loop, BaseLoop):
                found.extend(_leaf_datasets(loop.dataloader.dataset))
        return found
