# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .resnext3d import ResNeXt3D

__all__ = ['ResNeXt3D']
