# Copyright (c) hallucinet_mm contributors. All rights reserved.
from . import metrics  # noqa: F401
