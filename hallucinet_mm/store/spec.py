# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""What a config expects of a teacher-feature store: its manifest fields.

:func:`build_store_spec` computes, from a config, every manifest field that
determines phi_t; the extractor writes it and the loader compares with it,
so the two cannot drift.

The store sits below the datasets in the package's layers (the datasets'
:class:`LoadTeacherFeatures` reads a store), so the spec does not import the
transforms it looks for: it finds them in MMAction2's ``TRANSFORMS`` registry
by their registered names, as a config names them, and finds the
student/teacher sampler by its ``describe_anchors`` method.
"""
import copy
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config, ConfigDict

from mmaction.registry import TRANSFORMS
from ..utils.config_utils import load_model_cfg
from .format import file_sha256, to_jsonable

#: Sampler attributes that test mode ignores (not part of the spec).
_TEST_MODE_IGNORED = ('with_teacher', 'test_mode', 'mode', 'jitter')
#: FrozenTeacherWrapper arguments left out of the ``teacher`` field: they
#: do not change phi_t or are fields of their own.
_TEACHER_ARGS_IGNORED = ('type', 'checkpoint', 'tap', 'pool', 'feat_dim',
                         'input_shape', 'channels_last', 'allow_random_init')
#: FrozenTeacherWrapper's defaults of the arguments that change phi_t, so
#: that a config that spells a default out equals one that leaves it out
#: (tests/store/test_spec.py checks them against the class).
TEACHER_DEFAULTS = dict(
    checkpoint=None,
    revise_keys=[[r'^module\.', '']],
    strict=True,
    ignore_prefixes=[],
    tap=None,
    pool='avg',
    feat_dim=None)
#: mmaction's ActionDataPreprocessor defaults of the arguments that act on
#: the teacher clips at test time (``teacher_norm``; checked by
#: tests/store/test_spec.py against a built preprocessor).
NORM_DEFAULTS = dict(mean=None, std=None, to_rgb=False, format_shape='NCHW')


def _transform_class(transform) -> Optional[type]:
    if not isinstance(transform, (dict, ConfigDict)):
        return type(transform)
    typ = transform.get('type')
    if isinstance(typ, str):
        return TRANSFORMS.get(typ)
    return typ if isinstance(typ, type) else None


def _is_subclass(cls, base) -> bool:
    """Whether ``cls`` derives from ``base``, a class or a registered name.
    """
    if isinstance(base, str):
        base = TRANSFORMS.get(base)
    return isinstance(cls, type) and issubclass(cls, base)


def _is_sampler(cls) -> bool:
    """Whether ``cls`` is a student/teacher sampler (``frame_samplers``)."""
    return isinstance(cls, type) and callable(
        getattr(cls, 'describe_anchors', None))


def dataset_cfg(cfg: Config, split: str) -> ConfigDict:
    """The config of the dataset of ``split`` that holds the pipeline.

    Dataset wrappers (``RepeatDataset`` ...) are unwrapped through their
    ``dataset`` field. A ``ConcatDataset`` (e.g. a labeled and an unlabeled
    list) holds one pipeline, and one store, per dataset: name it with
    ``'<split>.<index>'``, e.g. ``'train.1'``.

    Args:
        cfg (Config): The full config.
        split (str): ``'train'``, ``'val'``, ``'test'``, or one of them
            with ``.<index>`` into a ``ConcatDataset``.

    Returns:
        ConfigDict: The dataset config (not a copy).
    """
    loader_split, _, index = split.partition('.')
    loader = cfg.get(f'{loader_split}_dataloader')
    if not loader or 'dataset' not in loader:
        raise KeyError(f'the config has no {loader_split}_dataloader.dataset')
    ds = loader['dataset']
    while 'pipeline' not in ds:
        if 'dataset' in ds:
            ds = ds['dataset']
        elif 'datasets' in ds and index.isdigit() and \
                int(index) < len(ds['datasets']):
            ds, index = ds['datasets'][int(index)], ''
        elif 'datasets' in ds:
            raise KeyError(
                f'{loader_split}_dataloader.dataset concatenates '
                f'{len(ds["datasets"])} datasets; name one as split '
                f"'{loader_split}.0' ... '{loader_split}."
                f"{len(ds['datasets']) - 1}', got {split!r}")
        else:
            break
    if 'pipeline' not in ds:
        raise KeyError(f'{split}_dataloader.dataset has no pipeline')
    return ds


def _find(pipeline: Sequence, is_kind, what: str, split: str) -> int:
    found = [
        i for i, t in enumerate(pipeline) if is_kind(_transform_class(t))
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
    pipeline = [
        copy.deepcopy(t) for t in dataset_cfg(cfg, split)['pipeline']
        if not _is_subclass(_transform_class(t), 'LoadTeacherFeatures')
    ]
    s = _find(pipeline, _is_sampler, 'student/teacher sampler', split)
    p = _find(pipeline, lambda c: _is_subclass(c, 'SplitStudentTeacher'),
              'SplitStudentTeacher', split)
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
    args = dict(copy.deepcopy(TEACHER_DEFAULTS), **teacher)
    model = to_jsonable(load_model_cfg(args['model']))
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


def _sampling_fields(pipeline: Sequence, split: str) -> Dict:
    s = _find(pipeline, _is_sampler, 'student/teacher sampler', split)
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
        anchors=sampler.describe_anchors(),
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
        split (str): ``'train'``, ``'val'`` or ``'test'`` (``'train.1'``
            for a dataset of a ``ConcatDataset``, see :func:`dataset_cfg`).
            Defaults to ``'train'``.

    Returns:
        dict: Every field of
        :data:`~hallucinet_mm.store.manifest.CHECKED_FIELDS` (``feat_dim``
        is the teacher's ``feat_dim``, else
        ``model.hallu_head.out_channels``, else None) plus informational
        ones: ``teacher_cfg``, ``checkpoint``, ``teacher_preprocessor``,
        ``decode_pipeline``, ``split``, ``ann_file``.
    """
    if not isinstance(cfg, Config):
        cfg = Config(cfg)
    spec = _teacher_fields(get_teacher_cfg(cfg))
    if spec['feat_dim'] is None:
        hallu = cfg.get('model', {}).get('hallu_head') or {}
        spec['feat_dim'] = hallu.get('out_channels')
    pre = get_teacher_preprocessor_cfg(cfg)
    norm = dict(NORM_DEFAULTS, **pre)
    spec['teacher_norm'] = to_jsonable({k: norm[k] for k in NORM_DEFAULTS})
    spec['teacher_preprocessor'] = pre

    ds = dataset_cfg(cfg, split)
    pipeline = extraction_pipeline(cfg, split)
    spec.update(_sampling_fields(pipeline, split))
    split_cfg = pipeline[-1]
    spec['teacher_pipeline'] = to_jsonable(
        split_cfg.get('teacher_pipeline') or [])
    spec['decode_pipeline'] = [
        getattr(_transform_class(t), '__name__', str(t.get('type')))
        for t in pipeline[:-1] if not _is_sampler(_transform_class(t))
    ]
    spec['split'] = split
    spec['ann_file'] = ds.get('ann_file')
    return spec
