# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Loading annotation pickles without running code from them.

``pickle.load`` imports and calls whatever a file names, so a pickle from
the internet can run arbitrary code. The MTL-AQA release files hold plain
built-in containers and numbers only, which the pickle protocol encodes with
dedicated opcodes: none of them needs a global lookup. The unpickler below
therefore refuses every global lookup (``find_class``), which refuses numpy
arrays, custom classes and ``os.system``-style reduce payloads alike.
"""
import os
import pickle
from typing import Any, Union


class UnsafePickleError(pickle.UnpicklingError):
    """Raised when a pickle needs a global (a class or a callable)."""


class _BuiltinsOnlyUnpickler(pickle.Unpickler):
    """Unpickler that refuses every global lookup.

    Args:
        file: A binary file object.
        source (str): Name of the file, used in error messages.
    """

    def __init__(self, file, source: str) -> None:
        super().__init__(file)
        self._source = source

    def find_class(self, module: str, name: str) -> Any:
        """Refuses the lookup of ``module.name``."""
        raise UnsafePickleError(
            f'Refused to load {self._source!r}: it references '
            f'{module}.{name}, but only plain built-in values (dict, list, '
            'tuple, str, int, float, bool, None) are allowed. '
            'Convert the file to built-in types (e.g. numpy scalars to '
            'float/int) if you trust it.')


def safe_pickle_load(path: Union[str, os.PathLike]) -> Any:
    """Loads a pickle file that may contain plain built-in values only.

    Args:
        path (str | os.PathLike): The pickle file.

    Returns:
        Any: The unpickled object, made of dicts, lists, tuples, strings,
        numbers, booleans and None (and bytes from protocol 3 or later;
        older protocols encode bytes through ``_codecs.encode``, which is
        refused).

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        UnsafePickleError: If the pickle references any global object
            (class, function, numpy type, ...). The message names the file
            and the refused ``module.name``.
        pickle.UnpicklingError: If the file is not a valid pickle.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'Pickle file not found: {path!r}')
    with open(path, 'rb') as f:
        try:
            return _BuiltinsOnlyUnpickler(f, path).load()
        except UnsafePickleError:
            raise
        except (EOFError, ValueError, TypeError, IndexError,
                pickle.UnpicklingError) as e:
            raise pickle.UnpicklingError(
                f'{path!r} is not a valid pickle file: {e}') from e
