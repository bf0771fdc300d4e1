# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .hallucinet_recognizer import HalluciNetRecognizer

__all__ = ['HalluciNetRecognizer']
