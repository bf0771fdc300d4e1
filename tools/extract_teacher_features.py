# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Precompute the frozen teacher's features (phi_t) of a split, once.

Training with an online teacher pays its forward every step of every epoch;
with deterministic sampling phi_t of a sample never changes, so this tool
computes it once and writes a teacher-feature store
(:mod:`hallucinet_mm.datasets.teacher_feature_store`).

What is stored: for each sample of the split's dataset (index ``i``, in
dataset order), phi_t of the teacher clips the config's pipeline gives with
its student/teacher sampler forced to ``test_mode=True`` and
``with_teacher=True`` (``SingleFrameSampler``/``PairFrameSampler``: the
clip starting at the centre frame ``total_frames // 2``; ``DiveFrameSampler``:
the window ending at ``end_frame``, no jitter), cropped and resized by
``SplitStudentTeacher``'s ``teacher_pipeline`` without flip, normalised by
``model.data_preprocessor.preprocessors.teacher_imgs`` and run through
``model.teacher`` (or the top-level ``store_teacher``). The anchors of every
sample go to ``keys.json``; training from the store must sample the same
anchors, which :class:`LoadTeacherFeatures` checks.

Only the teacher and its preprocessor are built (not the student). Work is
cut into shards of ``--shard-size`` samples, each written atomically
(``shard_00000.npy`` + ``.json`` with its sha256); a rerun skips complete
shards. With ``torchrun`` (``--launcher pytorch``) rank ``r`` of ``W`` takes
shards ``i % W == r`` (no process group is needed); rank 0 waits for all
shards, then writes ``features.npy`` (memory-mappable), ``keys.json`` and,
last, ``manifest.json``.

Examples:
    python tools/extract_teacher_features.py \\
        configs/synthetic/hallucinet_r18_synthetic_store.py \\
        --out work_dirs/teacher_store_r3d18_synthetic/train --split train
    torchrun --nproc_per_node 4 tools/extract_teacher_features.py CONFIG \\
        --out DIR --launcher pytorch
"""
import argparse
import datetime
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.utils import ProgressBar

_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if _ROOT not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, _ROOT)

import hallucinet_mm  # noqa: E402,F401  (registers, applies compat)
from hallucinet_mm.datasets.teacher_feature_store import (  # noqa: E402
    FEATURES_FILE, KEYS_FILE, MANIFEST_FILE, STORE_FORMAT,
    STORE_FORMAT_VERSION, CHECKED_FIELDS, FeatureStoreMismatchError,
    build_store_spec, compare_specs, dataset_cfg, extraction_pipeline,
    file_sha256, get_teacher_cfg, get_teacher_preprocessor_cfg, sample_key,
    to_jsonable, write_json_atomic)
from mmaction.registry import DATASETS, MODELS  # noqa: E402

RUN_FILE = 'extraction.json'
DTYPES = ('float32', 'float16')


def shard_path(out_dir: str, index: int, ext: str = 'npy') -> str:
    """``DIR/shard_00000.npy`` (or ``.json``)."""
    return osp.join(out_dir, f'shard_{index:05d}.{ext}')


def _read_json(path: str):
    import json
    with open(path) as f:
        return json.load(f)


def shard_complete(out_dir: str, index: int, start: int, stop: int,
                   steps: Optional[int] = None) -> bool:
    """Whether shard ``index`` was written completely.

    The ``.json`` is written (atomically) after the ``.npy``; a shard is
    complete when both exist, the json covers ``[start, stop)`` and the npy
    has the recorded size.
    """
    meta_path = shard_path(out_dir, index, 'json')
    npy = shard_path(out_dir, index)
    if not (osp.isfile(meta_path) and osp.isfile(npy)):
        return False
    try:
        meta = _read_json(meta_path)
    except ValueError:
        return False
    return (meta.get('start') == start and meta.get('stop') == stop
            and osp.getsize(npy) == meta.get('size')
            and (steps is None or meta['shape'][1] == steps))


def _write_shard(out_dir: str, index: int, start: int, feats: np.ndarray,
                 keys: List[str], key_field: str,
                 anchors: List[List[int]]) -> None:
    path = shard_path(out_dir, index)
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'wb') as f:  # a file object: np.save adds no suffix
        np.save(f, feats)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    write_json_atomic(
        shard_path(out_dir, index, 'json'),
        dict(
            index=index,
            start=start,
            stop=start + len(feats),
            shape=list(feats.shape),
            dtype=str(feats.dtype),
            size=osp.getsize(path),
            sha256=file_sha256(path),
            key_field=key_field,
            keys=keys,
            anchors=anchors))


class _TeacherClips(torch.utils.data.Dataset):
    """Runs the extraction pipeline on the given dataset indices."""

    def __init__(self, dataset, indices: List[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i: int) -> Dict:
        index = self.indices[i]
        # get_data_info + pipeline, not dataset[index]: MMEngine's
        # __getitem__ silently swaps in a random sample when the pipeline
        # returns None.
        info = self.dataset.get_data_info(index)
        key_field, key = sample_key(info, self.dataset.data_prefix, index)
        results = self.dataset.pipeline(info)
        if results is None or 'teacher_imgs' not in results:
            raise RuntimeError(f'sample {index} ({key}): the pipeline gave '
                               'no teacher clips')
        return dict(
            index=index,
            key_field=key_field,
            key=key,
            anchors=np.asarray(results['anchor_inds']).tolist(),
            teacher_imgs=results['teacher_imgs'])


def _collate(batch: List[Dict]) -> List[Dict]:
    return batch


def build_teacher(cfg: Config, device: str):
    """The frozen teacher and its ``teacher_imgs`` preprocessor only."""
    teacher = MODELS.build(get_teacher_cfg(cfg))
    preprocessor = MODELS.build(get_teacher_preprocessor_cfg(cfg))
    return teacher.to(device).eval(), preprocessor.to(device).eval()


def _check_run_file(out_dir: str, run: Dict) -> None:
    """Refuses to resume an extraction that used other settings."""
    path = osp.join(out_dir, RUN_FILE)
    if not osp.isfile(path):
        return
    old = _read_json(path)
    diffs = compare_specs(old, run)
    for field in ('num_samples', 'shard_size', 'dtype', 'split'):
        if old.get(field) != run.get(field):
            diffs.append((field, old.get(field), run.get(field)))
    if diffs:
        raise FeatureStoreMismatchError(
            f'{out_dir} holds an extraction with other settings; use '
            'another --out or delete it:\n' + '\n'.join(
                f'  {f}: there {a!r} != now {b!r}' for f, a, b in diffs),
            diffs)


def _assemble(out_dir: str, run: Dict, num_shards: int, shard_size: int,
              wait_s: float, progress: bool) -> Dict:
    """Waits for all shards, then writes features, keys and manifest."""
    num_samples = run['num_samples']
    bounds = [(i * shard_size, min((i + 1) * shard_size, num_samples))
              for i in range(num_shards)]
    waited = False
    while not all(
            shard_complete(out_dir, i, a, b)
            for i, (a, b) in enumerate(bounds)):
        if not waited and progress:
            print('rank 0: waiting for the other ranks\' shards',
                  flush=True)
        waited = True
        time.sleep(wait_s)
    metas = [_read_json(shard_path(out_dir, i, 'json')) for i in
             range(num_shards)]
    steps, dim = metas[0]['shape'][1:]
    dtype = np.dtype(run['dtype'])
    final = osp.join(out_dir, FEATURES_FILE)
    tmp = f'{final}.tmp{os.getpid()}'
    out = np.lib.format.open_memmap(
        tmp, mode='w+', dtype=dtype, shape=(num_samples, steps, dim))
    keys, anchors, key_field = [], [], metas[0]['key_field']
    for i, meta in enumerate(metas):
        npy = shard_path(out_dir, i)
        if file_sha256(npy) != meta['sha256']:
            raise RuntimeError(f'{npy}: sha256 differs from its .json; '
                               'delete both files and rerun')
        shard = np.load(npy, mmap_mode='r')
        if shard.shape != (meta['stop'] - meta['start'], steps, dim) or \
                shard.dtype != dtype:
            raise RuntimeError(f'{npy}: {shard.shape} {shard.dtype} does '
                               'not fit the store')
        out[meta['start']:meta['stop']] = shard
        keys += meta['keys']
        anchors += meta['anchors']
    out.flush()
    del out
    os.replace(tmp, final)
    write_json_atomic(
        osp.join(out_dir, KEYS_FILE),
        dict(key_field=key_field, keys=keys, anchors=anchors))
    manifest = dict(
        run,
        format=STORE_FORMAT,
        format_version=STORE_FORMAT_VERSION,
        steps=steps,
        feat_dim=dim,
        features_file=FEATURES_FILE,
        keys_file=KEYS_FILE,
        key_field=key_field,
        num_shards=num_shards,
        shards=[
            dict(
                file=osp.basename(shard_path(out_dir, i)),
                start=m['start'],
                stop=m['stop'],
                sha256=m['sha256'],
                size=m['size']) for i, m in enumerate(metas)
        ],
        created=datetime.datetime.now(datetime.timezone.utc).isoformat(),
        checked_fields=list(CHECKED_FIELDS))
    write_json_atomic(osp.join(out_dir, MANIFEST_FILE), manifest)
    # Leftovers of interrupted writes (every shard is complete now).
    for name in os.listdir(out_dir):
        if '.tmp' in name and name.startswith(
                ('shard_', FEATURES_FILE, KEYS_FILE, MANIFEST_FILE,
                 RUN_FILE)):
            os.remove(osp.join(out_dir, name))
    return manifest


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
                             progress: bool = True) -> Optional[Dict]:
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
        progress (bool): Show a progress bar (rank 0). Defaults to True.

    Returns:
        dict | None: The manifest (rank 0, once the store is complete), or
        None.
    """
    if dtype not in DTYPES:
        raise ValueError(f'dtype must be one of {DTYPES}, got {dtype!r}')
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
    dataset = DATASETS.build(ds_cfg)
    dataset.full_init()
    num_samples = len(dataset)
    run = to_jsonable(
        dict(
            spec,
            dtype=dtype,
            num_samples=num_samples,
            shard_size=shard_size,
            data_prefix=ds_cfg.get('data_prefix'),
            extraction_pipeline=ds_cfg['pipeline'],
            version=hallucinet_mm.__version__))

    os.makedirs(out_dir, exist_ok=True)
    manifest_path = osp.join(out_dir, MANIFEST_FILE)
    _check_run_file(out_dir, run)
    if osp.isfile(manifest_path):
        manifest = _read_json(manifest_path)
        diffs = compare_specs(manifest, run)
        if diffs or manifest.get('num_samples') != num_samples:
            raise FeatureStoreMismatchError(
                f'{out_dir} holds a complete store with other settings: '
                f'{diffs}; use another --out', diffs)
        if progress:
            print(f'{out_dir}: the store is complete', flush=True)
        return manifest if rank == 0 else None
    if rank == 0:
        write_json_atomic(osp.join(out_dir, RUN_FILE), run)

    num_shards = (num_samples + shard_size - 1) // shard_size
    bounds = [(i * shard_size, min((i + 1) * shard_size, num_samples))
              for i in range(num_shards)]
    todo = [
        i for i in range(num_shards) if i % world_size == rank
        and not shard_complete(out_dir, i, *bounds[i], spec['steps'])
    ]
    if max_shards is not None:
        todo = todo[:max_shards]
    if progress:
        print(f'{split}: {num_samples} samples in {num_shards} shards, '
              f'{len(todo)} to compute on {world_size} rank(s)', flush=True)

    if todo:
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
        loader_cfg = cfg.get(f'{split}_dataloader')
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
                clips = [torch.from_numpy(b['teacher_imgs']).to(device)
                         for b in batch]
                clips, _ = preprocessor.preprocess(clips, None, False)
                n, steps = clips.shape[:2]
                phi = teacher(clips.reshape((-1, ) + clips.shape[2:]))
                phi = phi.reshape(n, steps, -1).float().cpu().numpy()
                for b, f in zip(batch, phi):
                    if len(b['anchors']) != spec['steps']:
                        raise RuntimeError(
                            f'sample {b["index"]}: {len(b["anchors"])} '
                            f'anchors, expected {spec["steps"]}')
                    buf.append(dict(b, feats=f.astype(dtype)))
                    start, stop = bounds[current]
                    if len(buf) == stop - start:
                        _write_shard(out_dir, current, start,
                                     np.stack([x['feats'] for x in buf]),
                                     [x['key'] for x in buf],
                                     buf[0]['key_field'],
                                     [x['anchors'] for x in buf])
                        buf = []
                        current = next(pending, None)
                if bar is not None:
                    bar.update(len(batch))
        if bar is not None:
            print(flush=True)
    if max_shards is not None and any(
            not shard_complete(out_dir, i, *bounds[i])
            for i in range(num_shards)):
        return None  # a chunked run: rerun to continue
    if rank != 0:
        return None
    return _assemble(out_dir, run, num_shards, shard_size, wait_s, progress)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Precompute the frozen teacher features of a split into '
        'a teacher-feature store')
    parser.add_argument('config', help='config file (online or store)')
    parser.add_argument('--out', required=True, help='the store directory')
    parser.add_argument(
        '--split', choices=['train', 'val', 'test'], default='train')
    parser.add_argument('--dtype', choices=DTYPES, default='float32')
    parser.add_argument(
        '--shard-size', type=int, default=256, help='samples per shard')
    parser.add_argument(
        '--batch-size', type=int, help='clips per teacher forward '
        '(default: the dataloader batch size)')
    parser.add_argument(
        '--num-workers', type=int, help='decoding workers (default: the '
        "dataloader's)")
    parser.add_argument('--device', help='default: cuda:LOCAL_RANK or cpu')
    parser.add_argument(
        '--max-shards',
        type=int,
        help='compute at most this many new shards, then stop (rerun to '
        'continue)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value pairs')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None) -> Optional[Dict]:
    """Command-line entry point.

    Args:
        argv (list[str], optional): Arguments; None uses ``sys.argv``.

    Returns:
        dict | None: The manifest on rank 0 once the store is complete.
    """
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    rank, world_size = 0, 1
    if args.launcher == 'pytorch':
        for key in ('RANK', 'WORLD_SIZE'):
            if key not in os.environ:
                raise RuntimeError(f'--launcher pytorch needs {key}: start '
                                   'the job with torchrun')
        rank = int(os.environ['RANK'])
        world_size = int(os.environ['WORLD_SIZE'])
        os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return extract_teacher_features(
        cfg,
        args.out,
        split=args.split,
        dtype=args.dtype,
        shard_size=args.shard_size,
        batch_size=args.batch_size,
        num_workers=args.num_workers,
        device=args.device,
        rank=rank,
        world_size=world_size,
        max_shards=args.max_shards)


if __name__ == '__main__':
    main()
