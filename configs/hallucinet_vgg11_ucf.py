# The path users run (`tools/train.py configs/hallucinet_vgg11_ucf.py`): the
# paper's HalluciNet on UCF-101 (Table 1), i.e.
# ucf101/hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py.
_base_ = [
    './ucf101/hallucinet_vgg11bn_resnext101-k400_1xb25-1x1x1-50e_ucf101.py'
]
