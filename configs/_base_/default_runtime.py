# MMAction2's runtime, plus the plugin import that registers hallucinet_mm.
_base_ = 'mmaction::_base_/default_runtime.py'

custom_imports = dict(imports=['hallucinet_mm'], allow_failed_imports=False)

# Training reliability (hallucinet_mm/engine/hooks): stop at the first NaN/inf
# loss or weight before it is checkpointed; random state in checkpoints and
# per-sample data seeding (bit-exact resume); labels within the head's
# num_classes before the first step; no validation or test video in the
# training lists and at least one full batch per epoch. tools/train.py adds them to a
# config whose own custom_hooks replace this list, and makes the checkpoint
# hook an AtomicCheckpointHook (a key base configs cannot share here).
custom_hooks = [
    dict(type='FiniteCheckHook'),
    dict(type='RNGStateHook'),
    dict(type='CheckLabelRangeHook'),
    dict(type='CheckTrainingDataHook')
]

# Evaluation (val/test) videos are refused in the training lists, by path and
# by content (CheckTrainingDataHook); True lets them in, by name.
allow_eval_videos_in_train = False

# Model keys a `load_from` checkpoint may lack (fine-tuning from another task,
# e.g. ['cls_head.*']); any other missing key or shape is refused
# (hallucinet_mm/engine/train_checks.py).
load_from_allow_missing = []
