# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""HalluciNet: a 2D recognizer that also hallucinates 3D teacher features."""
import copy
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import merge_dict

from mmaction.models.recognizers import Recognizer2D
from mmaction.registry import MODELS
from mmaction.utils import OptConfigType, SampleList
from ...utils.finite import check_finite
from ...utils.unlabeled import is_unlabeled
from ..checkpoint_checks import enable_strict_loading
from ..teachers.frozen_teacher import build_teacher
from .pretrained_weights import (defer_torchvision_weights,
                                 load_torchvision_weights)

CLS_FEATURES = ('student', 'hallucinated', 'both')


@MODELS.register_module()
class HalluciNetRecognizer(Recognizer2D):
    """A 2D-CNN student trained with an auxiliary hallucination task.

    Inputs come as a dict from ``MultiModalDataPreprocessor``: ``imgs``
    (student frames, (N, S, C, H, W)) and, in training, either
    ``teacher_imgs`` (teacher clips, (N, steps, C, T, H, W)) run through the
    frozen ``teacher``, or ``teacher_feats`` ((N, steps, D), precomputed by
    ``tools/extract_teacher_features.py``). ``S = steps * frames_per_step``.

    The student's pooled features of each step (the ordered concatenation
    of its ``frames_per_step`` frames) feed the hallucination head, which
    predicts phi_s and is trained with its ``loss_hallu``, by default
    ``50 * MSE(sigmoid(phi_s), sigmoid(phi_t))``. The
    classification head reads, per ``cls_feature``, the student features
    (HalluciNet), the hallucinated ones (HalluciNet-direct) or both
    concatenated, with ``num_segs=steps``.

    Variants: no ``teacher`` and no precomputed features, or a
    ``hallu_head.loss_hallu`` with ``loss_weight=0``, is the vanilla
    2D-CNN; no ``cls_head`` is hallucination-only training.

    At test time only ``imgs`` is needed and the teacher does not run. If
    the test pipeline also carries teacher inputs, the per-sample
    hallucination loss is stored as ``hallu_loss`` for
    ``HallucinationLossMetric``.

    The teacher is held outside the module tree: it is not in
    ``parameters()``, ``state_dict()`` or ``children()``, so the optimizer,
    DDP and checkpoints never see it, but it follows ``.to()``/``.cuda()``.

    Args:
        backbone (dict): The student backbone (MMAction2, ``torchvision.*``
            or ``timm.*``), as for ``Recognizer2D``; a torchvision
            backbone's ``weights`` are loaded in :meth:`init_weights`.
        cls_head (dict, optional): Main-task head (e.g. ``TSNHead``,
            ``DiveMultiHead``). Defaults to None.
        hallu_head (dict, optional): ``HallucinationHead``. Defaults to None.
        teacher (dict, optional): ``FrozenTeacherWrapper``, built on first
            use (see :attr:`teacher`). Defaults to None.
        cls_feature (str): ``'student'``, ``'hallucinated'`` or ``'both'``.
            Defaults to ``'student'``.
        frames_per_step (int): Student frames per step (2 for two-frame
            HalluciNet). Defaults to 1.
        neck (dict, optional): Not supported: MMAction2's 2D necks fuse
            the segments, which would mix HalluciNet's steps. Must be None.
        train_cfg (dict, optional): Defaults to None.
        test_cfg (dict, optional): Defaults to None.
        data_preprocessor (dict, optional): Usually a
            ``MultiModalDataPreprocessor`` with ``imgs`` and
            ``teacher_imgs`` preprocessors. Defaults to None.
    """

    def __init__(self,
                 backbone: Dict,
                 cls_head: OptConfigType = None,
                 hallu_head: OptConfigType = None,
                 teacher: OptConfigType = None,
                 cls_feature: str = 'student',
                 frames_per_step: int = 1,
                 neck: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None) -> None:
        if cls_feature not in CLS_FEATURES:
            raise ValueError(f'cls_feature must be one of {CLS_FEATURES}, '
                             f'got {cls_feature!r}')
        if frames_per_step < 1:
            raise ValueError(
                f'frames_per_step must be >= 1, got {frames_per_step}')
        if cls_head is None and hallu_head is None:
            raise ValueError('HalluciNetRecognizer needs a cls_head, a '
                             'hallu_head or both')
        if neck is not None:
            raise ValueError('HalluciNetRecognizer does not support a neck: '
                             'MMAction2 necks fuse the segments, which would '
                             'mix the per-step student features')
        if cls_feature != 'student' and hallu_head is None:
            raise ValueError(f'cls_feature={cls_feature!r} needs a '
                             'hallu_head')
        # torchvision's ImageNet weights are loaded in init_weights(), as
        # MMAction2 backbones load ``pretrained``: a student checkpoint
        # replaces them anyway, so inference downloads nothing. A copy:
        # Recognizer2D pops a torchvision/timm backbone's ``type`` from the
        # dict it is given, which would spoil the caller's config.
        backbone, backbone_weights = defer_torchvision_weights(
            copy.deepcopy(backbone))
        super().__init__(
            backbone=backbone,
            cls_head=cls_head,
            neck=neck,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor)
        self.cls_feature = cls_feature
        self.frames_per_step = frames_per_step
        self.hallu_head = MODELS.build(hallu_head) if hallu_head else None
        self._backbone_weights = backbone_weights
        # The teacher is built on first use (see ``teacher``) and kept out
        # of the module tree on purpose (see the class docstring).
        built = teacher if isinstance(teacher, nn.Module) else None
        self.teacher_cfg = None if built is not None else teacher
        self.__dict__['_teacher'] = None
        if built is not None:
            self._set_teacher(built)
        elif teacher is not None and teacher.get('feat_dim'):
            self._check_teacher_dim(teacher['feat_dim'], teacher.get('tap'))
        # A checkpoint of another model is refused (init_recognizer too).
        enable_strict_loading(self)

    def _check_teacher_dim(self, feat_dim: int, tap: Optional[str]) -> None:
        if self.hallu_head is not None and \
                feat_dim != self.hallu_head.out_channels:
            raise ValueError(
                f'hallu_head.out_channels={self.hallu_head.out_channels} '
                f'but the teacher ({tap!r}) gives {feat_dim}-d features')

    def _set_teacher(self, teacher: nn.Module) -> None:
        self._check_teacher_dim(teacher.feat_dim, teacher.tap)
        param = next(self.parameters(), None)
        if param is not None:  # follow the .to()/.cuda() done so far
            teacher.to(param.device,
                       param.dtype if param.is_floating_point() else None)
        self.__dict__['_teacher'] = teacher

    @property
    def has_teacher(self) -> bool:
        """bool: whether a teacher is configured (built or not yet)."""
        return (self.__dict__['_teacher'] is not None
                or self.teacher_cfg is not None)

    @property
    def teacher(self) -> Optional[nn.Module]:
        """The frozen teacher, or None.

        Built, and its checkpoint loaded with strict checks, on first
        access: in ``init_weights()`` (which mmengine's Runner calls before
        training only) or on the first forward whose inputs carry teacher
        clips. Inference and tests without teacher inputs never build it,
        so they need no teacher checkpoint.
        """
        if self.__dict__['_teacher'] is None and self.teacher_cfg is not None:
            self._set_teacher(build_teacher(self.teacher_cfg))
        return self.__dict__['_teacher']

    def init_weights(self) -> None:
        """Initialises the student, then loads the pretrained weights that
        were deferred (torchvision ``weights``) and builds the teacher.

        mmengine's Runner calls this before training, not before testing,
        so a missing or mismatched teacher checkpoint fails before the
        first iteration while inference never needs it.
        """
        self.teacher  # noqa: B018 (builds it; fails before any download)
        super().init_weights()
        if self._backbone_weights is not None:
            load_torchvision_weights(self.backbone, self._backbone_weights)

    @property
    def with_hallu_head(self) -> bool:
        """bool: whether the recognizer has a hallucination head."""
        return self.hallu_head is not None

    def _apply(self, fn, *args, **kwargs):
        # .to(), .cuda(), .half() ... reach the hidden teacher too.
        super()._apply(fn, *args, **kwargs)
        if self.__dict__['_teacher'] is not None:  # built: move it too
            self.__dict__['_teacher']._apply(fn, *args, **kwargs)
        return self

    # ------------------------------------------------------------------
    # features
    # ------------------------------------------------------------------
    @staticmethod
    def _split_inputs(inputs: Union[Dict, torch.Tensor]) -> Dict:
        if isinstance(inputs, torch.Tensor):
            return dict(imgs=inputs)
        if 'imgs' not in inputs:
            raise KeyError('HalluciNetRecognizer needs inputs["imgs"], got '
                           f'{sorted(inputs)}')
        return inputs

    def student_features(self,
                         imgs: torch.Tensor,
                         test_mode: bool = False,
                         hallucinate: bool = True
                         ) -> Tuple[torch.Tensor, Optional[torch.Tensor], int]:
        """Pooled student features per step and the hallucinated features.

        Args:
            imgs (Tensor): (N, S, C, H, W) student frames.
            test_mode (bool): Whether in test mode. Defaults to False.
            hallucinate (bool): Whether to run the hallucination head (phi_s
                is None otherwise). Defaults to True.

        Returns:
            tuple: step features (N * steps, frames_per_step * C), phi_s
            ((N * steps, D) or None) and ``steps``.
        """
        num_frames = imgs.shape[1]
        if num_frames % self.frames_per_step:
            raise ValueError(
                f'{num_frames} student frames per sample is not a multiple '
                f'of frames_per_step={self.frames_per_step}')
        x, _ = super().extract_feat(imgs, stage='neck', test_mode=test_mode)
        if isinstance(x, (tuple, list)):
            x = x[-1]
        if x.dim() > 2:
            x = x.flatten(2).mean(2)
        steps = num_frames // self.frames_per_step
        feats = x.reshape(x.shape[0] // self.frames_per_step, -1)
        phi_s = self.hallu_head(feats) if (self.with_hallu_head
                                           and hallucinate) else None
        return feats, phi_s, steps

    def _cls_input(self, feats: torch.Tensor,
                   phi_s: Optional[torch.Tensor]) -> torch.Tensor:
        if self.cls_feature == 'student':
            x = feats
        elif self.cls_feature == 'hallucinated':
            x = phi_s
        else:
            x = torch.cat([feats, phi_s], dim=1)
        # (B, C, 1, 1): the layout MMAction2's 2D heads pool and consume.
        return x[:, :, None, None]

    def teacher_features(self, inputs: Dict) -> Optional[torch.Tensor]:
        """phi_t per step from precomputed features or the teacher.

        Args:
            inputs (dict): The model inputs.

        Returns:
            Tensor | None: (N * steps, D), or None without teacher inputs.
        """
        if 'teacher_feats' in inputs:
            feats = inputs['teacher_feats']
            return feats.reshape(-1, feats.shape[-1]).float()
        if 'teacher_imgs' not in inputs:
            return None
        if self.teacher is None:
            raise RuntimeError('inputs carry teacher_imgs but the model has '
                               'no teacher')
        clips = inputs['teacher_imgs']
        clips = clips.reshape((-1, ) + clips.shape[-4:])
        with torch.inference_mode():
            phi_t = self.teacher(clips)
        check_finite(phi_t, 'features of the teacher (checkpoint '
                     f'{getattr(self.teacher, "checkpoint", None)})')
        # inference tensors cannot enter autograd; clone() makes a normal one.
        return phi_t.clone()

    @property
    def _hallucination_on(self) -> bool:
        return (self.with_hallu_head
                and self.hallu_head.loss_hallu.loss_weight > 0)

    def _needs_phi_s(self, hallucination_loss_wanted: bool) -> bool:
        # A head whose output reaches no loss would leave DDP waiting for
        # its gradients, so phi_s is computed only when something uses it.
        return self.with_hallu_head and (hallucination_loss_wanted or
                                         self.cls_feature != 'student')

    def _main_task_loss(self, cls_input: torch.Tensor,
                        data_samples: SampleList, steps: int) -> Dict:
        """The main-task loss, averaged over the labeled samples only.

        Samples of an ``UnlabeledVideoDataset`` (``gt_label=UNLABELED``)
        train the hallucination head only. A batch without any labeled
        sample gives a zero ``loss_cls`` that still reaches every head
        parameter, so DDP sees the same graph on every rank.
        """
        labeled = [
            i for i, sample in enumerate(data_samples)
            if not is_unlabeled(sample)
        ]
        if len(labeled) == len(data_samples):
            return self.cls_head.loss(cls_input, data_samples, num_segs=steps)
        scores = self.cls_head(cls_input, num_segs=steps)
        if not labeled:
            return dict(loss_cls=scores.sum() * 0.)
        index = torch.tensor(labeled, device=scores.device)
        return self.cls_head.loss_by_feat(
            scores.index_select(0, index), [data_samples[i] for i in labeled])

    # ------------------------------------------------------------------
    # modes
    # ------------------------------------------------------------------
    def loss(self, inputs: Union[Dict, torch.Tensor],
             data_samples: SampleList, **kwargs) -> Dict:
        """Main-task loss plus the weighted hallucination loss.

        Args:
            inputs (dict | Tensor): ``imgs`` and teacher inputs.
            data_samples (list[ActionDataSample]): The batch's samples.

        Returns:
            dict: Losses (``loss_cls`` ..., ``loss_hallu``) and logs.
        """
        inputs = self._split_inputs(inputs)
        feats, phi_s, steps = self.student_features(
            inputs['imgs'],
            hallucinate=self._needs_phi_s(self._hallucination_on))
        losses = dict()
        if self.with_cls_head:
            losses = self._main_task_loss(
                self._cls_input(feats, phi_s), data_samples, steps)
        if self._hallucination_on:
            phi_t = self.teacher_features(inputs)
            if phi_t is None:
                raise KeyError(
                    'the hallucination loss needs teacher inputs: set '
                    'with_teacher=True in the sampler (teacher_imgs) or load '
                    'precomputed teacher_feats')
            losses = merge_dict(losses,
                                self.hallu_head.loss_by_feat(phi_s, phi_t))
        return losses

    def predict(self, inputs: Union[Dict, torch.Tensor],
                data_samples: SampleList, **kwargs) -> SampleList:
        """Predictions from the student alone.

        The teacher runs only when the inputs carry teacher clips (a test
        pipeline asking for the hallucination-loss metric).

        Args:
            inputs (dict | Tensor): ``imgs`` and optional teacher inputs.
            data_samples (list[ActionDataSample]): The batch's samples.

        Returns:
            list[ActionDataSample]: With ``pred_score`` ... and, with teacher
            inputs, ``hallu_loss``.
        """
        inputs = self._split_inputs(inputs)
        with_teacher_inputs = ('teacher_imgs' in inputs
                               or 'teacher_feats' in inputs)
        feats, phi_s, steps = self.student_features(
            inputs['imgs'],
            test_mode=True,
            hallucinate=self._needs_phi_s(with_teacher_inputs))
        if self.with_cls_head:
            data_samples = self.cls_head.predict(
                self._cls_input(feats, phi_s), data_samples, num_segs=steps)
        if self.with_hallu_head:
            phi_t = self.teacher_features(inputs)
            if phi_t is not None:
                data_samples = self.hallu_head.predict_by_feat(
                    phi_s, phi_t, data_samples)
                # The sigmoids per sample, for HallucinationR2Metric.
                per_sample = len(data_samples), -1, phi_s.shape[-1]
                for sample, pred, target in zip(
                        data_samples,
                        phi_s.detach().sigmoid().reshape(per_sample),
                        phi_t.sigmoid().reshape(per_sample)):
                    sample.set_field(pred, 'hallu_pred')
                    sample.set_field(target, 'hallu_target')
        return data_samples

    def _forward(self, inputs: Union[Dict, torch.Tensor], stage: str = 'head',
                 **kwargs):
        """Tensor mode: logits (``stage='head'``) or step features."""
        inputs = self._split_inputs(inputs)
        feats, phi_s, steps = self.student_features(
            inputs['imgs'], test_mode=True)
        if stage == 'head' and self.with_cls_head:
            return self.cls_head(self._cls_input(feats, phi_s), num_segs=steps)
        if stage == 'hallucinated':
            return phi_s
        return feats
