# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Writes the teacher-feature store of a split (sharded, resumable).

What is stored: for each sample of the split's dataset (index ``i``, in
dataset order), phi_t of the teacher clips the config's pipeline gives with
its student/teacher sampler forced to ``test_mode=True`` and
``with_teacher=True`` (see
:func:`~hallucinet_mm.store.spec.extraction_pipeline`), normalised by
``model.data_preprocessor.preprocessors.teacher_imgs`` and run through
``model.teacher`` (or the top-level ``store_teacher``). Only the teacher and
its preprocessor are built. Rank ``r`` of ``W`` computes shards
``i % W == r``; rank 0 waits for all shards, then assembles the store.
Non-finite features are refused before anything is written.
"""
import os
import os.path as osp
import warnings
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.utils import ProgressBar

from mmaction.registry import DATASETS, MODELS
from ..utils.video_fingerprints import fingerprint, video_of
from ..version import __version__
from .format import (DTYPES, MANIFEST_FILE, RUN_FILE,
                     FeatureStoreMismatchError, NonFiniteFeaturesError,
                     StoreIntegrityError, read_json, sample_key, to_jsonable,
                     write_json_atomic)
from .manifest import compare_specs, mismatch_error, read_manifest
from .reader import VERIFY_MODES, TeacherFeatureStore
from .shards import assemble, shard_bounds, shard_complete, write_shard
from .spec import (build_store_spec, dataset_cfg, extraction_pipeline,
                   get_teacher_cfg, get_teacher_preprocessor_cfg)


class _TeacherClips(torch.utils.data.Dataset):
    """Runs the extraction pipeline on the given dataset indices."""

    def __init__(self, dataset, indices: List[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        self._fingerprints: Dict[str, Dict] = {}  # per video (MTL-AQA)

    def _fingerprint(self, video: Optional[str]) -> Optional[Dict]:
        if video is not None and video not in self._fingerprints:
            self._fingerprints[video] = fingerprint(video)
        return None if video is None else self._fingerprints[video]

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i: int) -> Dict:
        index = self.indices[i]
        # get_data_info + pipeline, not dataset[index]: MMEngine's
        # __getitem__ silently swaps in a random sample when the pipeline
        # returns None.
        info = self.dataset.get_data_info(index)
        key_field, key = sample_key(info, self.dataset.data_prefix, index)
        source = info.get('filename', info.get('frame_dir', key))
        results = self.dataset.pipeline(info)
        if results is None or 'teacher_imgs' not in results:
            raise RuntimeError(f'sample {index} ({source}): the pipeline '
                               'gave no teacher clips')
        return dict(
            index=index,
            key_field=key_field,
            key=key,
            source=str(source),
            # What ties the row to its video's content (reader.check_videos).
            video=self._fingerprint(video_of(info)),
            anchors=np.asarray(results['anchor_inds']).tolist(),
            teacher_imgs=results['teacher_imgs'])


def _collate(batch: List[Dict]) -> List[Dict]:
    return batch


def build_teacher(cfg: Config, device: str):
    """The frozen teacher and its ``teacher_imgs`` preprocessor only."""
    teacher = MODELS.build(get_teacher_cfg(cfg))
    preprocessor = MODELS.build(get_teacher_preprocessor_cfg(cfg))
    return teacher.to(device).eval(), preprocessor.to(device).eval()


def check_finite(feats: np.ndarray, sample: Dict, checkpoint: str) -> None:
    """Refuses the features of one sample unless all are finite.

    Args:
        feats (np.ndarray): (steps, D), in the store's dtype.
        sample (dict): ``index``, ``source`` (the video) and ``anchors``.
        checkpoint (str): The teacher checkpoint.

    Raises:
        NonFiniteFeaturesError: Naming the video and the checkpoint.
    """
    if np.isfinite(feats).all():
        return
    cause = ('the teacher gave non-finite features'
             if feats.dtype == np.float32 else 'non-finite after the cast '
             f'to {feats.dtype} (|phi_t| beyond its range)')
    raise NonFiniteFeaturesError(
        f'{sample["source"]} (sample {sample["index"]}, anchors '
        f'{sample["anchors"]}): {cause}: {int(np.isnan(feats).sum())} NaN, '
        f'{int(np.isinf(feats).sum())} Inf, with the teacher checkpoint '
        f'{checkpoint}; nothing of its shard was written', sample['source'])


def _check_run_file(out_dir: str, run: Dict) -> None:
    """Refuses to resume an extraction that used other settings."""
    path = osp.join(out_dir, RUN_FILE)
    if not osp.isfile(path):
        return
    old = read_json(path)
    diffs = compare_specs(old, run)
    for field in ('num_samples', 'shard_size', 'dtype', 'split'):
        if old.get(field) != run.get(field):
            diffs.append((field, old.get(field), run.get(field)))
    if diffs:
        raise FeatureStoreMismatchError(
            f'{path}: {out_dir} holds an extraction with other settings; '
            'use another --out or delete it:\n' + '\n'.join(
                f'  {f}: there {a!r} != now {b!r}' for f, a, b in diffs),
            diffs)


def _complete_store(out_dir: str, run: Dict, verify: str,
                    rank: int) -> Optional[Dict]:
    """The manifest of an intact store matching ``run``, else None.

    A store with other settings is refused. A damaged one (truncated or
    altered shard or ``keys.json``, non-finite rows, a damaged
    manifest when ``extraction.json`` still names the settings) loses its
    manifest, with a warning naming the damage, and is rebuilt from its
    intact shards (the others are recomputed).
    """
    manifest_path = osp.join(out_dir, MANIFEST_FILE)
    if not osp.isfile(manifest_path):
        return None
    try:
        manifest = read_manifest(out_dir)
        diffs = compare_specs(manifest, run)
        if manifest['num_samples'] != run['num_samples']:
            diffs.append(
                ('num_samples', manifest['num_samples'], run['num_samples']))
        if diffs:
            raise mismatch_error(
                out_dir, manifest.get('split'), diffs,
                'it holds a complete store: use another --out')
        TeacherFeatureStore(out_dir, verify=verify)
        return manifest
    except (StoreIntegrityError, FileNotFoundError) as err:
        if not osp.isfile(osp.join(out_dir, RUN_FILE)):
            raise StoreIntegrityError(
                f'{out_dir}: the store is damaged ({err}) and has no '
                f'{RUN_FILE} naming its settings; delete the directory and '
                'extract again', manifest_path) from err
        warnings.warn(f'{out_dir}: the store is damaged ({err}); rebuilding '
                      'it from its intact shards, recomputing the others')
        if rank == 0 and osp.isfile(manifest_path):
            os.remove(manifest_path)
        return None


def _compute_shards(cfg: Config, dataset, spec: Dict, out_dir: str,
                    todo: List[int], bounds: List, dtype: str,
                    batch_size: Optional[int], num_workers: Optional[int],
                    device: Optional[str], split: str,
                    progress: bool) -> None:
    """Runs the teacher on the samples of shards ``todo`` and writes them.
    """
    if device is None:
        device = (f'cuda:{int(os.environ.get("LOCAL_RANK", 0))}'
                  if torch.cuda.is_available() else 'cpu')
    teacher, preprocessor = build_teacher(cfg, device)
    if teacher.tap != spec['tap']:
        raise RuntimeError(f'teacher tap {teacher.tap!r} != spec '
                           f'{spec["tap"]!r}')
    if spec.get('feat_dim') is not None and \
            teacher.feat_dim != spec['feat_dim']:
        raise ValueError(
            f'the teacher gives {teacher.feat_dim}-d features but the '
            f'config expects {spec["feat_dim"]} (hallu_head.out_channels)')
    loader_cfg = cfg.get(f"{split.partition('.')[0]}_dataloader")
    indices = [j for i in todo for j in range(*bounds[i])]
    loader = torch.utils.data.DataLoader(
        _TeacherClips(dataset, indices),
        batch_size=batch_size or loader_cfg.get('batch_size', 8),
        num_workers=(loader_cfg.get('num_workers', 0)
                     if num_workers is None else num_workers),
        shuffle=False,
        collate_fn=_collate)
    bar = ProgressBar(len(indices)) if progress else None
    pending = iter(todo)
    current = next(pending)
    buf: List[Dict] = []
    with torch.inference_mode():
        for batch in loader:
            clips = [
                torch.from_numpy(b['teacher_imgs']).to(device) for b in batch
            ]
            clips, _ = preprocessor.preprocess(clips, None, False)
            n, steps = clips.shape[:2]
            phi = teacher(clips.reshape((-1, ) + clips.shape[2:]))
            phi = phi.reshape(n, steps, -1).float().cpu().numpy()
            for b, f in zip(batch, phi):
                if len(b['anchors']) != spec['steps']:
                    raise RuntimeError(
                        f'{b["source"]} (sample {b["index"]}): '
                        f'{len(b["anchors"])} anchors, expected '
                        f'{spec["steps"]}')
                check_finite(f, b, spec['checkpoint'])
                f = f.astype(dtype)
                check_finite(f, b, spec['checkpoint'])
                buf.append(dict(b, feats=f))
                start, stop = bounds[current]
                if len(buf) == stop - start:
                    write_shard(out_dir, current, start,
                                np.stack([x['feats'] for x in buf]),
                                [x['key'] for x in buf], buf[0]['key_field'],
                                [x['anchors'] for x in buf],
                                [x['video'] for x in buf])
                    buf = []
                    current = next(pending, None)
            if bar is not None:
                bar.update(len(batch))
    if bar is not None:
        print(flush=True)


def extract_teacher_features(cfg: Config,
                             out_dir: str,
                             split: str = 'train',
                             dtype: str = 'float32',
                             shard_size: int = 256,
                             batch_size: Optional[int] = None,
                             num_workers: Optional[int] = None,
                             device: Optional[str] = None,
                             rank: int = 0,
                             world_size: int = 1,
                             max_shards: Optional[int] = None,
                             wait_s: float = 2.0,
                             wait_timeout_s: float = 1800.0,
                             progress: bool = True,
                             verify: str = 'sha256') -> Optional[Dict]:
    """Writes the teacher-feature store of one split.

    Args:
        cfg (Config): The config (a HalluciNet config, online or store).
        out_dir (str): The store directory.
        split (str): ``'train'``, ``'val'`` or ``'test'``. Defaults to
            ``'train'``.
        dtype (str): ``'float32'`` or ``'float16'``. Defaults to
            ``'float32'``.
        shard_size (int): Samples per shard. Defaults to 256.
        batch_size (int, optional): Clips per teacher forward. Defaults to
            the split dataloader's ``batch_size``.
        num_workers (int, optional): Decoding workers. Defaults to the split
            dataloader's ``num_workers``.
        device (str, optional): Defaults to ``cuda:LOCAL_RANK`` when CUDA is
            available, else ``cpu``.
        rank (int): This process's rank. Defaults to 0.
        world_size (int): Number of processes. Defaults to 1.
        max_shards (int, optional): Compute at most this many new shards in
            this run and stop before assembling (chunked runs). Defaults to
            None.
        wait_s (float): Rank 0's polling interval while waiting for other
            ranks' shards. Defaults to 2.
        wait_timeout_s (float): Rank 0 gives up, naming the missing
            shards, when no shard was completed for this long. Defaults to
            1800.
        progress (bool): Show a progress bar (rank 0). Defaults to True.
        verify (str): How an existing store and its shards are checked
            before they are taken as complete: ``'sha256'`` (full hashes)
            or ``'size'`` (sizes only). Defaults to ``'sha256'``.

    Returns:
        dict | None: The manifest (rank 0, once the store is complete), or
        None.

    Raises:
        FeatureStoreMismatchError: ``out_dir`` holds a store or an
            extraction with other settings.
        NonFiniteFeaturesError: The teacher gave NaN or Inf features.
        TimeoutError: Rank 0 waited ``wait_timeout_s`` for missing shards.
    """
    if dtype not in DTYPES:
        raise ValueError(f'dtype must be one of {DTYPES}, got {dtype!r}')
    if verify not in VERIFY_MODES:
        raise ValueError(
            f'verify must be one of {VERIFY_MODES}, got {verify!r}')
    if shard_size < 1:
        raise ValueError(f'shard_size must be >= 1, got {shard_size}')
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    progress = progress and rank == 0
    spec = build_store_spec(cfg, split)
    if spec['checkpoint'] is None or spec['checkpoint_sha256'] is None:
        raise ValueError(
            'the teacher needs a local checkpoint file to make a store '
            f"(got checkpoint={spec['checkpoint']!r}): its sha256 identifies "
            'the teacher in the manifest')

    ds_cfg = dataset_cfg(cfg, split).to_dict()
    ds_cfg['pipeline'] = extraction_pipeline(cfg, split)
    ds_cfg.pop('teacher_feature_store', None)  # the store being made
    dataset = DATASETS.build(ds_cfg)
    dataset.full_init()
    num_samples = len(dataset)
    run = to_jsonable(
        dict(
            spec,
            dtype=dtype,
            num_samples=num_samples,
            shard_size=shard_size,
            data_prefix=getattr(dataset, 'data_prefix', None),
            ann_file=ds_cfg.get('ann_file'),
            extraction_pipeline=ds_cfg['pipeline'],
            version=__version__))

    os.makedirs(out_dir, exist_ok=True)
    _check_run_file(out_dir, run)
    manifest = _complete_store(out_dir, run, verify, rank)
    if manifest is not None:
        if progress:
            print(f'{out_dir}: the store is complete', flush=True)
        return manifest if rank == 0 else None
    if rank == 0:
        write_json_atomic(osp.join(out_dir, RUN_FILE), run)

    bounds = shard_bounds(num_samples, shard_size)
    todo = [
        i for i in range(len(bounds)) if i % world_size == rank and
        not shard_complete(out_dir, i, *bounds[i], spec['steps'], verify)
    ]
    if max_shards is not None:
        todo = todo[:max_shards]
    if progress:
        print(f'{split}: {num_samples} samples in {len(bounds)} shards, '
              f'{len(todo)} to compute on {world_size} rank(s)', flush=True)
    if todo:
        _compute_shards(cfg, dataset, spec, out_dir, todo, bounds, dtype,
                        batch_size, num_workers, device, split, progress)
    if max_shards is not None and any(
            not shard_complete(out_dir, i, *b)
            for i, b in enumerate(bounds)):
        return None  # a chunked run: rerun to continue
    if rank != 0:
        return None
    return assemble(out_dir, run, shard_size, wait_s, progress,
                    wait_timeout_s, world_size)
