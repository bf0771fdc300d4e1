# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Checks that tensors hold only finite values (no NaN, no inf)."""
import torch


class NonFiniteError(FloatingPointError):
    """Raised when a loss, a feature or a weight is NaN or infinite."""


def count_non_finite(tensor: torch.Tensor) -> int:
    """Number of NaN or infinite entries of a floating tensor (else 0)."""
    if not torch.is_tensor(tensor) or not tensor.is_floating_point():
        return 0
    return int((~torch.isfinite(tensor.detach())).sum())


def check_finite(tensor: torch.Tensor, source: str) -> torch.Tensor:
    """Raises :class:`NonFiniteError` naming ``source`` on NaN or inf.

    Args:
        tensor (Tensor): The values to check (non-floating tensors pass).
        source (str): What the values are, for the message (e.g. ``'the
            features of the teacher (checkpoint t.pth)'``).

    Returns:
        Tensor: ``tensor``, unchanged.

    Raises:
        NonFiniteError: If an entry is NaN or infinite.
    """
    bad = count_non_finite(tensor)
    if bad:
        raise NonFiniteError(
            f'{source}: {bad} of {tensor.numel()} values are NaN or '
            'infinite')
    return tensor
