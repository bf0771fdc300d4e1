# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Helpers shared by the teacher-feature store and extractor tests."""
import copy
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import hallucinet_mm  # noqa: F401  (registers components)
from hallucinet_mm.models.teachers import FrozenTeacherWrapper

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ONLINE_CFG = osp.join(ROOT, 'configs/synthetic/hallucinet_r18_synthetic.py')
STORE_CFG = osp.join(ROOT,
                     'configs/synthetic/hallucinet_r18_synthetic_store.py')
TEACHER_CFG = osp.join(ROOT, 'configs/_base_/models/r3d18_tiny_teacher.py')
#: Samples used from the val list (6 classes x 2 videos, 24 frames).
NUM_SAMPLES = 6


def make_teacher_ckpt(path: str, seed: int = 0) -> str:
    """Saves a randomly initialised tiny teacher (r3d18_tiny_teacher)."""
    init_default_scope('mmaction')
    torch.manual_seed(seed)
    model = Config.fromfile(TEACHER_CFG).teacher_model.to_dict()
    wrapper = FrozenTeacherWrapper(
        model=copy.deepcopy(model),
        allow_random_init=True,
        input_shape=(1, 3, 16, 32, 32))
    torch.save({'state_dict': wrapper.model.state_dict()}, path)
    return str(path)


def _data_options(videos: dict, num_samples: int) -> dict:
    opts = {}
    for split in ('train', 'test'):
        opts.update({
            f'{split}_dataloader.dataset.ann_file': videos['val_ann'],
            f'{split}_dataloader.dataset.data_prefix.video':
            videos['video_dir'],
            f'{split}_dataloader.dataset.indices': num_samples,
            f'{split}_dataloader.num_workers': 0,
            f'{split}_dataloader.persistent_workers': False,
        })
    return opts


def store_cfg(videos: dict,
              ckpt: str,
              store_dir: str,
              num_samples: int = NUM_SAMPLES,
              **options) -> Config:
    """hallucinet_r18_synthetic_store.py on the tiny videos.

    Both the train and the test split read the first ``num_samples`` lines
    of the val list, the train pipeline's store is ``store_dir``.
    """
    init_default_scope('mmaction')
    cfg = Config.fromfile(STORE_CFG)
    opts = _data_options(videos, num_samples)
    # Both splits read one list on purpose: allowed by name.
    opts['allow_eval_videos_in_train'] = True
    opts['store_teacher.checkpoint'] = ckpt
    opts['train_dataloader.dataset.teacher_feature_store'] = store_dir
    opts.update(options)
    cfg.merge_from_dict(opts)
    return cfg


def online_cfg(videos: dict,
               ckpt: str,
               num_samples: int = NUM_SAMPLES,
               **options) -> Config:
    """hallucinet_r18_synthetic.py on the tiny videos, centre frames."""
    init_default_scope('mmaction')
    cfg = Config.fromfile(ONLINE_CFG)
    opts = _data_options(videos, num_samples)
    opts['model.teacher.checkpoint'] = ckpt
    opts['train_dataloader.dataset.pipeline.1.mode'] = 'centre'
    opts.update(options)
    cfg.merge_from_dict(opts)
    return cfg


def make_store(videos: dict, tmp_dir: str) -> dict:
    """Two teacher checkpoints and a store of the first (3 shards of 2).

    Args:
        videos (dict): The ``synthetic_videos`` fixture.
        tmp_dir (str): Where to write them.

    Returns:
        dict: ``videos``, ``ckpt``, ``other`` (checkpoint paths) and
        ``out`` (the store directory).
    """
    ckpt = make_teacher_ckpt(osp.join(tmp_dir, 'teacher.pth'), seed=0)
    other = make_teacher_ckpt(osp.join(tmp_dir, 'other.pth'), seed=1)
    out = osp.join(tmp_dir, 'store')
    extract(videos, ckpt, out)
    return dict(videos=videos, ckpt=ckpt, other=other, out=out)


def extract(videos: dict, ckpt: str, out: str, cfg_options=None, **kwargs):
    """Extracts the store of ``store_cfg`` into ``out``, quietly.

    Args:
        videos (dict): The ``synthetic_videos`` fixture.
        ckpt (str): The teacher checkpoint.
        out (str): The store directory.
        cfg_options (dict, optional): Config overrides.
        **kwargs: ``extract_teacher_features`` arguments (``shard_size``
            defaults to 2, ``batch_size`` to the number of samples).

    Returns:
        dict | None: The manifest.
    """
    from hallucinet_mm.store import extract_teacher_features
    torch.set_num_threads(1)
    kwargs.setdefault('shard_size', 2)
    kwargs.setdefault('batch_size', NUM_SAMPLES)
    cfg = store_cfg(videos, ckpt, out, **(cfg_options or {}))
    return extract_teacher_features(
        cfg, out, num_workers=0, progress=False, **kwargs)
