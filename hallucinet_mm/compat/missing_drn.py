# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Placeholder for MMAction2's DRN localizer (for ``mmaction2==1.2.0``).

The ``mmaction2==1.2.0`` wheel and sdist lack
``mmaction/models/localizers/drn/`` (upstream issue 2714: the folder has no
``__init__.py``, so packaging drops it), while
``mmaction/models/localizers/__init__.py`` imports ``from .drn.drn import
DRN``; ``import mmaction.models`` then fails. :func:`patch_missing_drn`
registers a placeholder module; building a ``DRN`` raises
:class:`MissingDRNError`. Where the installed MMAction2 ships the folder it
changes nothing.
"""
import importlib.util
import os.path as osp
import sys
import types


class MissingDRNError(ImportError):
    """Raised when a DRN localizer is built from a wheel that lacks it."""


def _mmaction_has_drn() -> bool:
    """Whether the installed mmaction ships ``models/localizers/drn/drn.py``.

    Looks at the files only: importing ``mmaction.models`` to find out would
    trigger the very ImportError this fix is about.
    """
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return True  # mmaction absent: nothing to fix here.
    for root in spec.submodule_search_locations:
        if osp.isfile(osp.join(root, 'models', 'localizers', 'drn',
                               'drn.py')):
            return True
    return False


def patch_missing_drn() -> bool:
    """Registers a placeholder for ``mmaction.models.localizers.drn``.

    Returns:
        bool: True if the placeholder was installed, False when the installed
        MMAction2 has the real module (or the placeholder is already there).
    """
    name = 'mmaction.models.localizers.drn'
    if name in sys.modules or _mmaction_has_drn():
        return False

    message = ('DRN is not available: the installed mmaction2 wheel lacks '
               'mmaction/models/localizers/drn (upstream issue 2714). '
               'Install MMAction2 from source to use DRN.')

    class DRN:  # noqa: D401 - placeholder with the upstream name
        """Placeholder that refuses to be built; see MissingDRNError."""

        def __init__(self, *args, **kwargs):
            raise MissingDRNError(message)

    package = types.ModuleType(name)
    package.__path__ = []  # a package, so ``drn.drn`` resolves
    package.__doc__ = message
    module = types.ModuleType(name + '.drn')
    module.DRN = DRN
    module.__doc__ = message
    package.drn = module
    package.DRN = DRN
    sys.modules[name] = package
    sys.modules[name + '.drn'] = module

    from mmaction.registry import MODELS
    if 'DRN' not in MODELS.module_dict:
        MODELS.register_module(name='DRN', module=DRN)
    return True
