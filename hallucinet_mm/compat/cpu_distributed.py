# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""``torchrun`` on a host without CUDA (for ``mmengine==0.10.x``).

mmengine 0.10.x's ``pytorch`` launcher calls ``torch.cuda.set_device``
unconditionally, so ``torchrun`` on a CPU-only host fails.
:func:`setup_cpu_distributed` (called by ``tools/train.py`` and
``tools/test.py``) starts a gloo process group first and builds DDP without
``device_ids``; with CUDA present it changes nothing.
"""
import os

import torch


def setup_cpu_distributed(cfg, launcher: str) -> bool:
    """Makes ``torchrun`` work on hosts without CUDA.

    mmengine's ``pytorch`` launcher calls ``torch.cuda.set_device``; when
    CUDA is absent this starts a gloo process group first (mmengine then
    skips its own initialisation) and builds DDP without ``device_ids``.

    Args:
        cfg (Config): The runner config; ``model_wrapper_cfg`` is set.
        launcher (str): The ``--launcher`` value.

    Returns:
        bool: True if the CPU path was taken.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    import torch.distributed as dist
    if not dist.is_initialized():
        if launcher == 'slurm':
            raise RuntimeError(
                'CPU-only distributed training supports the pytorch launcher '
                '(torchrun); got --launcher slurm on a host without CUDA.')
        for key in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
            if key not in os.environ:
                raise RuntimeError(
                    f'--launcher {launcher} needs the {key} environment '
                    'variable; start the job with torchrun (tools/'
                    'dist_train.sh).')
        dist.init_process_group(backend='gloo')
    wrapper = dict(cfg.get('model_wrapper_cfg', None) or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    return True
