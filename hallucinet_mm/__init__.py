# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""HalluciNet for MMAction2.

Importing this package applies the dependency fixes in
:mod:`hallucinet_mm.compat` once and registers every component into
MMAction2's registries (``mmaction.registry``).

Layers, lowest first: each subpackage (or top-level module) may import only
those listed after its name, every import counted, deferred ones too
(``tests/test_import_cycles.py`` checks it). A component a lower layer
needs from a higher one is looked up in MMAction2's registries by its
registered name, as a config names it.

- ``version``: nothing
- ``compat``: nothing
- ``utils``: nothing
- ``store``: utils, version
- ``datasets``: store, utils
- ``models``: datasets, utils
- ``evaluation``: models, datasets, store, utils
- ``engine``: evaluation, models, datasets, store, utils, version
- ``deployment``: engine, evaluation, models, datasets, store, utils, version
"""
from . import compat

compat.apply_all()

from . import store  # noqa: E402,F401
from . import datasets, models  # noqa: E402,F401
from . import evaluation  # noqa: E402,F401
from . import engine  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = [
    '__version__', 'compat', 'datasets', 'engine', 'evaluation', 'models',
    'store'
]
