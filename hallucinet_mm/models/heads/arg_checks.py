# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Clear errors for head arguments that moved into loss configs."""
from typing import Dict


def reject_old_args(head: str, kwargs: dict, moved: Dict[str, str]) -> None:
    """Raises TypeError for arguments a head does not take.

    Args:
        head (str): The head's class name.
        kwargs (dict): The arguments left over after the head's own.
        moved (dict): Maps each former argument to the form replacing it.

    Raises:
        TypeError: If ``kwargs`` is not empty; a former argument's message
            names its replacement.
    """
    for name, new_form in moved.items():
        if name in kwargs:
            raise TypeError(f'{head} no longer takes `{name}` (got '
                            f'{name}={kwargs[name]!r}); use {new_form}')
    if kwargs:
        raise TypeError(f'{head} got unexpected arguments {sorted(kwargs)}')
