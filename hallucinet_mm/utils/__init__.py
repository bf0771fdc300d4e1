# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .safe_pickle import UnsafePickleError, safe_pickle_load

__all__ = ['UnsafePickleError', 'safe_pickle_load']
