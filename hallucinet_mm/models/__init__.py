# Copyright (c) hallucinet_mm contributors. All rights reserved.
from . import backbones, heads, losses, recognizers, teachers  # noqa: F401
