# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""A store of precomputed teacher features (phi_t), and its checks.

Training with an online 3D teacher pays the teacher's forward every step of
every epoch. With deterministic sampling (the centre frame of UCF-101 /
HMDB-51, or the dive sampler in test mode) phi_t of a sample never changes,
so ``tools/extract_teacher_features.py`` computes it once per split and
writes a store::

    DIR/manifest.json   what made the features (see build_store_spec)
    DIR/features.npy    (num_samples, steps, D), memory-mappable
    DIR/keys.json       per dataset index: the sample's key and anchors
    DIR/shard_*.npy     the extraction's shards (resumable), plus .json

A store is keyed by (dataset index, anchor frames): row ``i`` holds phi_t of
the teacher clips that start at ``keys.json``'s ``anchors[i]`` of sample
``i``. :class:`~hallucinet_mm.datasets.transforms.LoadTeacherFeatures`
reads row ``results['sample_idx']`` and
refuses a sample whose sampler anchors (or key) differ from the stored ones,
and :func:`build_store_spec` computes, from a config, every manifest field
that determines phi_t; the extractor writes it and the loader compares with
it, so the two cannot drift.
"""
import copy
import hashlib
import inspect
import json
import os
import os.path as osp
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.config import Config, ConfigDict
from mmengine.hooks import Hook

from mmaction.registry import HOOKS, TRANSFORMS
from .transforms.frame_samplers import (BaseStudentTeacherSampler,
                                        DiveFrameSampler, SingleFrameSampler)
from .transforms.split_student_teacher import SplitStudentTeacher

STORE_FORMAT = 'hallucinet_mm.teacher_feature_store'
STORE_FORMAT_VERSION = 1
MANIFEST_FILE = 'manifest.json'
FEATURES_FILE = 'features.npy'
KEYS_FILE = 'keys.json'

#: Manifest fields that determine phi_t: a store whose value differs from
#: the config's is refused. ``checkpoint_sha256`` falls back to comparing
#: ``checkpoint`` paths when the config's checkpoint is not a local file.
CHECKED_FIELDS = ('teacher', 'checkpoint_sha256', 'tap', 'pool', 'feat_dim',
                  'sampler', 'clip_len', 'frame_interval', 'anchors',
                  'steps', 'teacher_pipeline', 'teacher_norm')

#: Sampler attributes that test mode ignores (not part of the spec).
_TEST_MODE_IGNORED = ('with_teacher', 'test_mode', 'mode', 'jitter')
#: FrozenTeacherWrapper arguments left out of the ``teacher`` field: they
#: do not change phi_t or are fields of their own.
_TEACHER_ARGS_IGNORED = ('type', 'checkpoint', 'tap', 'pool', 'feat_dim',
                         'input_shape', 'channels_last', 'allow_random_init')
#: ActionDataPreprocessor arguments that act on the teacher clips at test
#: time (``teacher_norm``).
_NORM_ARGS = ('mean', 'std', 'to_rgb', 'format_shape')

_SHA256_CACHE: Dict[Tuple[str, int, int], str] = {}


class FeatureStoreMismatchError(ValueError):
    """A teacher-feature store made with other settings than expected.

    Attributes:
        differences (list[tuple[str, object, object]]): ``(field, store
            value, expected value)`` for each differing (sub)field.
    """

    def __init__(self, message: str,
                 differences: Sequence[Tuple[str, object, object]] = ()):
        super().__init__(message)
        self.differences = list(differences)


# ----------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------
def to_jsonable(obj):
    """A JSON-serialisable copy: tuples to lists, numpy to Python, classes
    and functions to their dotted names.

    Args:
        obj: A config value.

    Returns:
        The JSON-serialisable value.
    """
    if isinstance(obj, (dict, ConfigDict)):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    if isinstance(obj, type) or callable(obj):
        return f'{obj.__module__}.{obj.__qualname__}'
    return repr(obj)


def file_sha256(path: str) -> str:
    """The sha256 hex digest of a file (cached by path, size and mtime).

    Args:
        path (str): A local file.

    Returns:
        str: The hex digest.
    """
    stat = os.stat(path)
    cache_key = (osp.abspath(path), stat.st_size, stat.st_mtime_ns)
    if cache_key not in _SHA256_CACHE:
        digest = hashlib.sha256()
        with open(path, 'rb') as f:
            for block in iter(lambda: f.read(1 << 20), b''):
                digest.update(block)
        _SHA256_CACHE[cache_key] = digest.hexdigest()
    return _SHA256_CACHE[cache_key]


def write_json_atomic(path: str, obj) -> None:
    """Writes JSON to a temporary file, then renames it to ``path``."""
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _defaults(func) -> Dict:
    return {
        name: p.default
        for name, p in inspect.signature(func).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def _transform_class(transform) -> Optional[type]:
    if not isinstance(transform, (dict, ConfigDict)):
        return type(transform)
    typ = transform.get('type')
    if isinstance(typ, str):
        return TRANSFORMS.get(typ)
    return typ if isinstance(typ, type) else None


def _is_subclass(cls, base) -> bool:
    return isinstance(cls, type) and issubclass(cls, base)


def dataset_cfg(cfg: Config, split: str) -> ConfigDict:
    """The config of the dataset of ``split`` that holds the pipeline.

    Dataset wrappers (``RepeatDataset`` ...) are unwrapped through their
    ``dataset`` field.

    Args:
        cfg (Config): The full config.
        split (str): ``'train'``, ``'val'`` or ``'test'``.

    Returns:
        ConfigDict: The dataset config (not a copy).
    """
    loader = cfg.get(f'{split}_dataloader')
    if not loader or 'dataset' not in loader:
        raise KeyError(f'the config has no {split}_dataloader.dataset')
    ds = loader['dataset']
    while 'pipeline' not in ds and 'dataset' in ds:
        ds = ds['dataset']
    if 'pipeline' not in ds:
        raise KeyError(f'{split}_dataloader.dataset has no pipeline')
    return ds


def _find(pipeline: Sequence, base: type, what: str, split: str) -> int:
    found = [
        i for i, t in enumerate(pipeline)
        if _is_subclass(_transform_class(t), base)
    ]
    if len(found) != 1:
        names = [
            getattr(_transform_class(t), '__name__', t) for t in pipeline
        ]
        raise ValueError(f'the {split} pipeline must hold exactly one '
                         f'{what}, found {len(found)} (types: {names})')
    return found[0]


def extraction_pipeline(cfg: Config, split: str) -> List[dict]:
    """The pipeline that yields the split's teacher clips deterministically.

    The config's pipeline up to and including ``SplitStudentTeacher``, with
    the sampler forced to ``test_mode=True`` and ``with_teacher=True``, the
    flip off (``flip_ratio=0``), no student sub-pipeline (the student frames
    are not used) and no :class:`LoadTeacherFeatures`.

    Args:
        cfg (Config): The full config.
        split (str): ``'train'``, ``'val'`` or ``'test'``.

    Returns:
        list[dict]: The transforms' configs.
    """
    from .transforms.load_teacher_features import LoadTeacherFeatures
    pipeline = [
        copy.deepcopy(t) for t in dataset_cfg(cfg, split)['pipeline']
        if not _is_subclass(_transform_class(t), LoadTeacherFeatures)
    ]
    s = _find(pipeline, BaseStudentTeacherSampler, 'student/teacher sampler',
              split)
    p = _find(pipeline, SplitStudentTeacher, 'SplitStudentTeacher', split)
    if p < s:
        raise ValueError(f'the {split} pipeline splits the frames before '
                         'sampling them')
    pipeline[s] = dict(pipeline[s], test_mode=True, with_teacher=True)
    pipeline[p] = dict(pipeline[p], flip_ratio=0.0, student_pipeline=[])
    return [dict(t) for t in pipeline[:p + 1]]


def get_teacher_cfg(cfg: Config) -> dict:
    """The teacher's config: ``model.teacher``, else ``store_teacher``.

    A config that trains from a store keeps ``model.teacher=None`` (the
    teacher is not built) and names the store's teacher in the top-level
    ``store_teacher``.

    Args:
        cfg (Config): The full config.

    Returns:
        dict: The ``FrozenTeacherWrapper`` config.
    """
    teacher = cfg.get('model', {}).get('teacher') or cfg.get('store_teacher')
    if not teacher:
        raise KeyError('the config names no teacher: set model.teacher or, '
                       'when training from a feature store, store_teacher')
    return to_jsonable(teacher)


def get_teacher_preprocessor_cfg(cfg: Config) -> dict:
    """``model.data_preprocessor.preprocessors.teacher_imgs``."""
    pre = (cfg.get('model', {}).get('data_preprocessor') or {}).get(
        'preprocessors', {}).get('teacher_imgs')
    if not pre:
        raise KeyError(
            'the config has no model.data_preprocessor.preprocessors.'
            'teacher_imgs (the teacher normalisation); keep it in a config '
            'that trains from a feature store, where it is not used')
    return to_jsonable(pre)


def _checkpoint_id(checkpoint: Optional[str]) -> Optional[str]:
    if checkpoint is None:
        return None
    path = osp.expanduser(str(checkpoint))
    return file_sha256(path) if osp.isfile(path) else None


def _teacher_fields(teacher: dict) -> Dict:
    from ..models.teachers.frozen_teacher import (FrozenTeacherWrapper,
                                                  _load_model_cfg)
    args = _defaults(FrozenTeacherWrapper.__init__)
    args.update(teacher)
    model = to_jsonable(_load_model_cfg(args['model']))
    tap = args.get('tap')
    if tap is None:  # as FrozenTeacherWrapper resolves it
        tap = 'backbone' if 'backbone' in model else ''
    fields = {
        k: to_jsonable(v)
        for k, v in args.items() if k not in _TEACHER_ARGS_IGNORED
    }
    fields['model'] = model
    fields['type'] = 'FrozenTeacherWrapper'
    return dict(
        teacher=fields,
        teacher_cfg=to_jsonable(teacher),
        checkpoint=args.get('checkpoint'),
        checkpoint_sha256=_checkpoint_id(args.get('checkpoint')),
        tap=tap,
        pool=args['pool'],
        feat_dim=args.get('feat_dim'))


def _anchor_policy(cls: type, attrs: Dict) -> str:
    if issubclass(cls, DiveFrameSampler):
        return (f'dive: {attrs["num_steps"]} anchors {attrs["step"]} frames '
                f'apart from the start of the {attrs["window_len"]}-frame '
                'window ending at end_frame (no jitter), clipped to the '
                'video')
    if issubclass(cls, SingleFrameSampler):
        policy = 'centre: total_frames // 2'
        if attrs.get('pair_offset') is not None:
            policy += (f', moved back so that anchor + '
                       f'{attrs["pair_offset"]} is in the video')
        return policy
    return f'{cls.__name__} in test mode'


def _sampling_fields(pipeline: Sequence, split: str) -> Dict:
    s = _find(pipeline, BaseStudentTeacherSampler, 'student/teacher sampler',
              split)
    cls = _transform_class(pipeline[s])
    sampler_cfg = dict(pipeline[s], test_mode=True, with_teacher=True)
    sampler = TRANSFORMS.build(sampler_cfg)
    attrs = {
        k: to_jsonable(v)
        for k, v in sorted(vars(sampler).items())
        if not k.startswith('_') and k not in _TEST_MODE_IGNORED
    }
    return dict(
        sampler=dict(type=cls.__name__, **attrs),
        clip_len=sampler.clip_len,
        frame_interval=sampler.frame_interval,
        anchors=_anchor_policy(cls, attrs),
        steps=int(getattr(sampler, 'num_steps', 1)))


def build_store_spec(cfg: Config, split: str = 'train') -> Dict:
    """The manifest fields a config expects of the store of a split.

    Used by the extractor (it writes them) and by the loader (it compares
    the store's manifest with them), so that the two cannot drift. Sampling
    is normalised to what the extractor stores: the split's sampler in test
    mode with the teacher clips (``mode`` and ``jitter``, which test mode
    ignores, are left out), no flip.

    Args:
        cfg (Config): The full config.
        split (str): ``'train'``, ``'val'`` or ``'test'``. Defaults to
            ``'train'``.

    Returns:
        dict: Every field of :data:`CHECKED_FIELDS` (``feat_dim`` is the
        teacher's ``feat_dim``, else ``model.hallu_head.out_channels``,
        else None) plus informational ones: ``teacher_cfg``, ``checkpoint``,
        ``teacher_preprocessor``, ``decode_pipeline``, ``split``,
        ``ann_file``.
    """
    if not isinstance(cfg, Config):
        cfg = Config(cfg)
    spec = _teacher_fields(get_teacher_cfg(cfg))
    if spec['feat_dim'] is None:
        hallu = cfg.get('model', {}).get('hallu_head') or {}
        spec['feat_dim'] = hallu.get('out_channels')
    pre = get_teacher_preprocessor_cfg(cfg)
    from mmaction.models.data_preprocessors import ActionDataPreprocessor
    norm = _defaults(ActionDataPreprocessor.__init__)
    norm.update(pre)
    spec['teacher_norm'] = to_jsonable({k: norm[k] for k in _NORM_ARGS})
    spec['teacher_preprocessor'] = pre

    ds = dataset_cfg(cfg, split)
    pipeline = extraction_pipeline(cfg, split)
    spec.update(_sampling_fields(pipeline, split))
    split_cfg = pipeline[-1]
    spec['teacher_pipeline'] = to_jsonable(
        split_cfg.get('teacher_pipeline') or [])
    spec['decode_pipeline'] = [
        getattr(_transform_class(t), '__name__', str(t.get('type')))
        for t in pipeline[:-1] if not _is_subclass(
            _transform_class(t), BaseStudentTeacherSampler)
    ]
    spec['split'] = split
    spec['ann_file'] = ds.get('ann_file')
    return spec


def _diff(path: str, stored, expected, out: List) -> None:
    if isinstance(stored, dict) and isinstance(expected, dict):
        for key in sorted(set(stored) | set(expected)):
            _diff(f'{path}.{key}', stored.get(key, '<absent>'),
                  expected.get(key, '<absent>'), out)
    elif (isinstance(stored, list) and isinstance(expected, list)
          and len(stored) == len(expected)
          and any(isinstance(v, (dict, list)) for v in stored)):
        for i, (a, b) in enumerate(zip(stored, expected)):
            _diff(f'{path}[{i}]', a, b, out)
    elif stored != expected:
        out.append((path, stored, expected))


def compare_specs(stored: Dict, expected: Dict) -> List[Tuple]:
    """The differences of a manifest from an expected spec.

    Fields of :data:`CHECKED_FIELDS` that ``expected`` lacks or sets to
    None are not compared. Without an expected checkpoint hash (the
    config's checkpoint is not a local file) the checkpoint paths are
    compared instead, with a warning.

    Args:
        stored (dict): The store's manifest.
        expected (dict): E.g. :func:`build_store_spec`'s result.

    Returns:
        list[tuple[str, object, object]]: ``(field, store value, expected
        value)`` per differing (sub)field.
    """
    out = []
    for field in CHECKED_FIELDS:
        want = expected.get(field)
        if field == 'checkpoint_sha256' and want is None and \
                expected.get('checkpoint') is not None:
            warnings.warn(
                f'cannot hash the teacher checkpoint '
                f'{expected["checkpoint"]!r} (not a local file): the '
                'feature store is checked by checkpoint path only')
            _diff('checkpoint', stored.get('checkpoint'),
                  expected['checkpoint'], out)
            continue
        if want is None:
            continue
        _diff(field, to_jsonable(stored.get(field)), to_jsonable(want), out)
    return out


def _short(value, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + '...'


def _key_matches(stored: str, actual) -> bool:
    actual = str(actual).replace('\\', '/')
    stored = str(stored).replace('\\', '/')
    return actual == stored or actual.endswith('/' + stored)


def sample_key(info: Dict, data_prefix: Optional[Dict] = None,
               index: Optional[int] = None) -> Tuple[str, str]:
    """The field and value that identify a sample in a store.

    ``key_str`` (MTL-AQA), else ``filename`` (video) or ``frame_dir``
    (rawframes) relative to the dataset's ``data_prefix``, else the index.

    Args:
        info (dict): The sample's data info.
        data_prefix (dict, optional): The dataset's ``data_prefix``.
        index (int, optional): The dataset index.

    Returns:
        tuple[str, str]: The key field and the key.
    """
    if 'key_str' in info:
        return 'key_str', str(info['key_str'])
    data_prefix = data_prefix or {}
    for field, prefix_key in (('filename', 'video'), ('frame_dir', 'img')):
        if field in info:
            value = str(info[field])
            prefix = data_prefix.get(prefix_key)
            if prefix and value.startswith(str(prefix)):
                value = osp.relpath(value, str(prefix))
            return field, value.replace('\\', '/')
    return 'sample_idx', str(info.get('sample_idx', index))


# ----------------------------------------------------------------------
# the store
# ----------------------------------------------------------------------
class TeacherFeatureStore:
    """A teacher-feature store written by ``extract_teacher_features.py``.

    Opens ``manifest.json`` and ``keys.json`` at once and ``features.npy``
    (memory-mapped, read-only) on first access; a pickled store (e.g. sent
    to a dataloader worker) reopens the memmap in the worker.

    Args:
        path (str): The store directory.
        expected (dict, optional): Expected manifest fields, usually
            ``build_store_spec(cfg, split)``; a store that differs in any
            field of :data:`CHECKED_FIELDS` is refused with
            :class:`FeatureStoreMismatchError`. Defaults to None (no check).
    """

    def __init__(self, path: str, expected: Optional[Dict] = None) -> None:
        self.path = str(path)
        manifest_path = osp.join(self.path, MANIFEST_FILE)
        if not osp.isfile(manifest_path):
            raise FileNotFoundError(
                f'{self.path!r} is not a complete teacher-feature store (no '
                f'{MANIFEST_FILE}); write it with tools/'
                'extract_teacher_features.py CONFIG --out DIR')
        with open(manifest_path) as f:
            self.manifest = json.load(f)
        if self.manifest.get('format') != STORE_FORMAT or \
                self.manifest.get('format_version') != STORE_FORMAT_VERSION:
            raise ValueError(
                f'{manifest_path}: not a version {STORE_FORMAT_VERSION} '
                f'{STORE_FORMAT} manifest')
        with open(osp.join(self.path, KEYS_FILE)) as f:
            keys = json.load(f)
        self.key_field = keys['key_field']
        self.keys = keys['keys']
        self.anchors = np.asarray(keys['anchors'], dtype=np.int64).reshape(
            len(self.keys), self.steps)
        if len(self.keys) != self.num_samples:
            raise ValueError(f'{self.path}: {KEYS_FILE} lists '
                             f'{len(self.keys)} samples, the manifest '
                             f'{self.num_samples}')
        self._features = None
        if expected is not None:
            self.check(expected)

    # --- properties -------------------------------------------------
    @property
    def num_samples(self) -> int:
        """int: Samples in the store."""
        return int(self.manifest['num_samples'])

    @property
    def steps(self) -> int:
        """int: Teacher clips (steps) per sample."""
        return int(self.manifest['steps'])

    @property
    def feat_dim(self) -> int:
        """int: D."""
        return int(self.manifest['feat_dim'])

    @property
    def features(self) -> np.ndarray:
        """np.ndarray: The (num_samples, steps, D) read-only memmap."""
        if self._features is None:
            feats = np.load(
                osp.join(self.path, FEATURES_FILE), mmap_mode='r')
            shape = (self.num_samples, self.steps, self.feat_dim)
            if feats.shape != shape or \
                    str(feats.dtype) != self.manifest['dtype']:
                raise ValueError(
                    f'{self.path}/{FEATURES_FILE} holds {feats.shape} '
                    f'{feats.dtype}, the manifest says {shape} '
                    f'{self.manifest["dtype"]}')
            self._features = feats
        return self._features

    def __len__(self) -> int:
        return self.num_samples

    def __getstate__(self) -> Dict:
        state = self.__dict__.copy()
        state['_features'] = None  # a memmap would be pickled as a copy
        return state

    # --- checks -----------------------------------------------------
    def check(self,
              expected: Dict,
              num_samples: Optional[int] = None) -> None:
        """Refuses a store made with other settings than ``expected``.

        Args:
            expected (dict): Expected manifest fields.
            num_samples (int, optional): The dataset's length, if known.

        Raises:
            FeatureStoreMismatchError: Naming each differing field with the
                store's and the expected value.
        """
        diffs = compare_specs(self.manifest, expected)
        if num_samples is not None and num_samples != self.num_samples:
            diffs.append(('num_samples', self.num_samples, num_samples))
        if diffs:
            lines = [
                f'  {field}: store {_short(a)} != expected {_short(b)}'
                for field, a, b in diffs
            ]
            raise FeatureStoreMismatchError(
                f'teacher-feature store {self.path!r} (split '
                f'{self.manifest.get("split")!r}) does not match the '
                'config:\n' + '\n'.join(lines) +
                '\nextract a new store with tools/extract_teacher_features.py'
                ' or point store_dir to a matching one', diffs)

    def get(self,
            index: int,
            anchors: Optional[Sequence[int]] = None,
            key: Optional[str] = None) -> np.ndarray:
        """phi_t of a sample, checked against its anchors and key.

        Args:
            index (int): The dataset index (``sample_idx``).
            anchors (Sequence[int], optional): The sampler's 0-based anchor
                frames; must equal the stored ones.
            key (str, optional): The sample's ``key_field`` value (e.g. its
                ``filename``); must be (a path ending in) the stored key.

        Returns:
            np.ndarray: (steps, D) float32.
        """
        index = int(index)
        if not 0 <= index < self.num_samples:
            raise IndexError(f'sample {index} is outside the teacher-feature '
                             f'store {self.path!r} ({self.num_samples} '
                             'samples): was it made for another split?')
        stored_key = self.keys[index]
        if key is not None and not _key_matches(stored_key, key):
            raise ValueError(
                f'sample {index} is {key!r} but the teacher-feature store '
                f'{self.path!r} holds {stored_key!r} at that index: was it '
                'made for another annotation file or split?')
        if anchors is not None:
            anchors = np.asarray(anchors, dtype=np.int64).reshape(-1)
            if not np.array_equal(anchors, self.anchors[index]):
                raise ValueError(
                    f'sample {index} ({stored_key}): the sampler chose '
                    f'anchor frames {anchors.tolist()} but the teacher-'
                    f'feature store {self.path!r} holds phi_t for '
                    f'{self.anchors[index].tolist()} '
                    f'({self.manifest.get("anchors")}); training from a '
                    'store needs the deterministic sampling it was '
                    "extracted with (e.g. SingleFrameSampler(mode='centre')"
                    ' or test_mode=True)')
        return np.array(self.features[index], dtype=np.float32)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(path={self.path!r}, '
                f'num_samples={self.num_samples}, steps={self.steps}, '
                f'feat_dim={self.feat_dim}, '
                f'dtype={self.manifest.get("dtype")!r})')


# ----------------------------------------------------------------------
# config-level checks
# ----------------------------------------------------------------------
def _datasets(dataset) -> List:
    """The datasets that hold pipelines, through dataset wrappers."""
    if hasattr(dataset, 'pipeline'):
        return [dataset]
    inner = []
    for name in ('dataset', 'datasets'):
        sub = getattr(dataset, name, None)
        if sub is None:
            continue
        for d in sub if isinstance(sub, (list, tuple)) else [sub]:
            inner += _datasets(d)
    return inner


def check_dataset_stores(cfg: Config, split: str, dataset) -> int:
    """Checks every :class:`LoadTeacherFeatures` of a built dataset.

    Args:
        cfg (Config): The full config.
        split (str): The dataset's split (its ``{split}_dataloader``).
        dataset: The built dataset (wrappers allowed).

    Returns:
        int: The number of stores checked.

    Raises:
        FeatureStoreMismatchError: For a store that does not match.
    """
    from .transforms.load_teacher_features import LoadTeacherFeatures
    checked = 0
    spec = None
    for ds in _datasets(dataset):
        transforms = getattr(ds.pipeline, 'transforms', [])
        for t in transforms:
            if isinstance(t, LoadTeacherFeatures):
                if spec is None:
                    spec = build_store_spec(cfg, split)
                t.check(spec, num_samples=len(ds))
                checked += 1
    return checked


@HOOKS.register_module()
class CheckTeacherFeatureStoreHook(Hook):
    """Checks the feature stores of the run's datasets against the config.

    Before training, validation and testing (once each), every
    :class:`LoadTeacherFeatures` of the split's dataset compares its
    store's manifest with ``build_store_spec(runner.cfg, split)`` and the
    store's length with the dataset's, so a store made with another
    teacher, checkpoint, layer, dimension, sampling or crop fails the run
    before the first step.
    """

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._done = set()

    def _check(self, runner, split: str) -> None:
        if split in self._done:
            return
        loader = getattr(runner, f'{split}_dataloader')
        num = check_dataset_stores(runner.cfg, split, loader.dataset)
        if num:
            runner.logger.info(
                f'teacher-feature store of the {split} split matches '
                'the config')
        self._done.add(split)

    def before_train(self, runner) -> None:
        """Checks the train split's stores."""
        self._check(runner, 'train')

    def before_val(self, runner) -> None:
        """Checks the val split's stores."""
        self._check(runner, 'val')

    def before_test(self, runner) -> None:
        """Checks the test split's stores."""
        self._check(runner, 'test')
