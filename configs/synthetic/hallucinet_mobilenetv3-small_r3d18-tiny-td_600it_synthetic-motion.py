# The main job's HalluciNet student (./hallucinet_r18-s3_r3d18-tiny-td_600it_
# synthetic-motion.py: same data, teacher, loss, 600-iteration budget and
# checkpoint selection) with torchvision's MobileNetV3-small as the 2D
# student instead of the ResNet-18: randomly initialised like it
# (no download), its `features` pooled to 576-d. The edge student of
# docs/int8_deployment.md (INT8 ONNX, tools/deployment/quantize_onnx.py).
_base_ = ['./hallucinet_r18-s3_r3d18-tiny-td_600it_synthetic-motion.py']

model = dict(
    backbone=dict(
        _delete_=True, type='torchvision.mobilenet_v3_small', weights=None),
    cls_head=dict(in_channels=576),
    hallu_head=dict(in_channels=576))
