# The paper's teacher (section 4, "Choice of networks"): Hara et al.'s
# 3D-ResNeXt-101 (cardinality 32), frozen; the hallucinated layer is its last
# bottleneck group (layer4), average-pooled to 2048-d.
#
# Weights: Hara's Kinetics checkpoint `resnext-101-kinetics.pth`
# (3D-ResNets-PyTorch, CVPR2018 release) converted to MMAction2 keys with
#   python tools/model_converters/hara_resnext_to_mmaction.py \
#       resnext-101-kinetics.pth checkpoints/resnext-101-kinetics_mmaction.pth
# The paper's teacher was that network fine-tuned on UCF-101 ("Unless otherwise
# mentioned, the teacher network was trained on UCF-101"); that checkpoint is
# not public, so the Kinetics one is the default here. To use a UCF-101
# fine-tuned teacher
# (configs/teachers/resnext3d_k400-pretrained-resnext101_8xb16-16x1x1-50e_ucf101.py)
# point `model.teacher.checkpoint` at it AND give `model.teacher.model` that
# config's I3DHead (101 classes): the teacher loads strictly, and the head's
# cls_head.* keys are otherwise "unexpected" (the head itself never runs).
#
# Named `teacher*` (not `model`) so configs can inherit it without replacing
# their model (./hallucinet_vgg11_resnext101.py plugs it into HalluciNet). Clip
# input: 16x112x112 (resize 171x128, centre crop 112, set in the dataset
# configs), pixels 0-255 minus Hara's mean, std 1.
teacher_mean = [114.7748, 107.7354, 99.4750]
teacher_std = [1.0, 1.0, 1.0]
teacher_feat_dim = 2048
teacher_checkpoint = 'checkpoints/resnext-101-kinetics_mmaction.pth'
teacher = dict(
    type='FrozenTeacherWrapper',
    model=dict(
        type='Recognizer3D', backbone=dict(type='ResNeXt3D', depth=101)),
    checkpoint=teacher_checkpoint,
    tap='backbone',
    # A checkpoint fine-tuned with configs/teachers/ also holds its I3DHead.
    ignore_prefixes=('cls_head.', ),
    # Known; saves the measuring forward pass when the model is built.
    feat_dim=teacher_feat_dim)
