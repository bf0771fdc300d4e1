# Paper: section 4.2.1 "Dive Recognition", Table 3, row "Ours HalluciNet".
# VGG11-bn student (ImageNet weights) on 6 frames of a dive (every 16th of
# 96), LSTM + one linear classifier per dive field (position, armstand,
# rotation type, somersaults, twists), plus the hallucination task:
# L = sum of the 5 CE losses + 50 * MSE(sigmoid(phi_s), sigmoid(phi_t)), phi_t
# from the frozen 3D-ResNeXt-101 on the 16 frames starting at each student
# frame. 20 epochs, Adam, constant lr 1e-4. Metric: per-field accuracy (%).
#
# Teacher weights: checkpoints/resnext-101-kinetics_mmaction.pth, Hara's
# resnext-101-kinetics.pth converted with
#   python tools/model_converters/hara_resnext_to_mmaction.py \
#       resnext-101-kinetics.pth checkpoints/resnext-101-kinetics_mmaction.pth
# Differences from the paper: the paper's teacher and student were first
# trained on UCF-101 (sec. 4.2.1 "Model"); here the teacher is the Kinetics
# checkpoint and the student starts from ImageNet. The UCF-101-pretrained
# variants are configs/pretraining/*_ucf101-*pretrained-vgg11bn_*.py (Table 9).
_base_ = [
    '../_base_/models/hallucinet_vgg11_resnext101.py',
    '../_base_/datasets/mtl_aqa_dives.py',
    '../_base_/schedules/adam_1e-4_20e.py'
]

model = dict(cls_head={{_base_.dive_head}}, frames_per_step=1)
