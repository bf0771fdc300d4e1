# Copyright (c) hallucinet_mm contributors. All rights reserved.
from . import backbones, heads, recognizers, teachers  # noqa: F401
