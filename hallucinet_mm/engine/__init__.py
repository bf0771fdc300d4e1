# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Runner extensions (hooks)."""
from . import hooks  # noqa: F401
