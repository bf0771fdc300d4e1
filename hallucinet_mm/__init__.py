# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""HalluciNet for MMAction2.

Importing this package applies the dependency fixes in
:mod:`hallucinet_mm.compat` once and registers every component into
MMAction2's registries (``mmaction.registry``).
"""
from . import compat

compat.apply_all()

from . import datasets, evaluation, models  # noqa: E402,F401
from . import store  # noqa: E402,F401  (after datasets and models)
from . import engine  # noqa: E402,F401  (after store)
from .version import __version__  # noqa: E402

__all__ = [
    '__version__', 'compat', 'datasets', 'engine', 'evaluation', 'models',
    'store'
]
