# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Checks the labels of every built dataset against the model's head."""
from typing import List, Optional

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop

from mmaction.registry import HOOKS
from ...datasets.label_range import check_label_range
from ...utils.dataset_wrappers import leaf_datasets


def head_num_classes(model) -> Optional[int]:
    """``num_classes`` of the model's ``cls_head``, or None without one."""
    if is_model_wrapper(model):
        model = model.module
    head = getattr(model, 'cls_head', None)
    num_classes = getattr(head, 'num_classes', None)
    return num_classes if isinstance(num_classes, int) else None



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
                found.extend(
                    ds for ds, _ in leaf_datasets(loop.dataloader.dataset))
        return found
