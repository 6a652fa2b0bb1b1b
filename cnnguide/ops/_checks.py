"""Argument validation shared by the operators.

Every public operator checks its arguments up front and raises a
:class:`ValueError` that names the offending shape or value. Torch would often
accept the same input and broadcast it silently (a ``(1, 2)`` kernel against a
``(3,)`` vector, say), or fail deep inside with a ``RuntimeError`` about
strides; a reader learning the operators deserves a message about *their*
mistake instead.

>>> as_pair(3, "stride")
(3, 3)
>>> as_pair((1, 2), "padding")
(1, 2)
>>> as_pair(True, "stride")
Traceback (most recent call last):
    ...
ValueError: stride must be an int or a pair of ints, got True
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import torch


def is_int(value: object) -> bool:
    """Whether ``value`` is an integer that is not a bool (numpy integers count).

    >>> is_int(3), is_int(3.0), is_int(True)
    (True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(value: object, name: str, minimum: int) -> int:
    """Return ``value`` as an ``int`` after checking that it is one and ``>= minimum``.

    >>> check_int(2, "stride", 1)
    2
    >>> check_int(0, "stride", 1)
    Traceback (most recent call last):
        ...
    ValueError: stride must be an integer >= 1, got 0
    """
    if not is_int(value) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def as_pair(value: object, name: str, minimum: int | None = None) -> tuple[int, int]:
    """Read an ``int`` or a pair of ints as a ``(height, width)`` pair.

    With ``minimum`` given, both entries must be at least that.

    >>> as_pair([2, 3], "kernel_size", minimum=1)
    (2, 3)
    >>> as_pair((0, 3), "kernel_size", minimum=1)
    Traceback (most recent call last):
        ...
    ValueError: kernel_size must have entries >= 1, got (0, 3)
    """
    if is_int(value):
        pair = (int(value), int(value))
    elif (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == 2
        and all(is_int(v) for v in value)
    ):
        pair = (int(value[0]), int(value[1]))
    else:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    if minimum is not None and min(pair) < minimum:
        raise ValueError(f"{name} must have entries >= {minimum}, got {tuple(pair)}")
    return pair


def shape_of(tensor: torch.Tensor) -> tuple[int, ...]:
    """A tensor's shape as a plain tuple, which prints as ``(3, 3)``.

    >>> shape_of(torch.zeros(3, 3))
    (3, 3)
    """
    return tuple(tensor.shape)


def check_tensor(value: object, name: str, ndims: Sequence[int]) -> torch.Tensor:
    """Check that ``value`` is a tensor with one of the ranks in ``ndims``.

    >>> check_tensor(torch.zeros(2, 3), "X", (2,)).shape
    torch.Size([2, 3])
    >>> check_tensor([[1, 2]], "X", (2,))
    Traceback (most recent call last):
        ...
    ValueError: X must be a torch.Tensor, got list
    >>> check_tensor(torch.zeros(2, 3, 4), "X", (2,))
    Traceback (most recent call last):
        ...
    ValueError: X must be 2-D, got a 3-D tensor of shape (2, 3, 4)
    """
    if not isinstance(value, torch.Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if value.dim() not in ndims:
        wanted = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(
            f"{name} must be {wanted}, got a {value.dim()}-D tensor of shape {shape_of(value)}"
        )
    return value


def check_real(tensor: torch.Tensor, name: str) -> None:
    """Reject bool and complex tensors, which the operators do not define.

    >>> check_real(torch.zeros(2, dtype=torch.bool), "X")
    Traceback (most recent call last):
        ...
    ValueError: X must hold real numbers, got dtype torch.bool
    """
    if tensor.dtype == torch.bool or tensor.is_complex():
        raise ValueError(f"{name} must hold real numbers, got dtype {tensor.dtype}")


def check_floating(tensor: torch.Tensor, name: str) -> None:
    """Require a floating-point tensor (gradients and means need one).

    >>> check_floating(torch.arange(3), "X")
    Traceback (most recent call last):
        ...
    ValueError: X must be a floating-point tensor, got dtype torch.int64
    """
    if not tensor.is_floating_point():
        raise ValueError(f"{name} must be a floating-point tensor, got dtype {tensor.dtype}")


def check_nonempty(tensor: torch.Tensor, name: str, dims: Sequence[int]) -> None:
    """Require the listed dimensions of ``tensor`` to have size at least 1.

    >>> check_nonempty(torch.zeros(0, 3), "K", (0, 1))
    Traceback (most recent call last):
        ...
    ValueError: K must not have an empty dimension, got shape (0, 3)
    """
    if any(tensor.shape[d] < 1 for d in dims):
        raise ValueError(f"{name} must not have an empty dimension, got shape {shape_of(tensor)}")


def check_window_fits(window: str, X: torch.Tensor, size: tuple[int, int], padding: tuple[int, int]) -> None:
    """A ``size`` window must fit in ``X``'s last two dimensions once padded.

    ``window`` names the window in the message (e.g. ``"kernel of shape (1, 1, 5, 5)"``).

    Examples
    --------
    >>> check_window_fits("pool_size (3, 3)", torch.zeros(2, 2), (3, 3), (0, 0))
    Traceback (most recent call last):
    ...
    ValueError: pool_size (3, 3) is larger than input of shape (2, 2) padded by (0, 0): a 3x3 window does not fit in 2x2
    """
    (kh, kw), (ph, pw) = size, padding
    H, W = X.shape[-2:]
    if kh > H + 2 * ph or kw > W + 2 * pw:
        raise ValueError(
            f"{window} is larger than input of shape {shape_of(X)} "
            f"padded by {(ph, pw)}: a {kh}x{kw} window does not fit in "
            f"{H + 2 * ph}x{W + 2 * pw}"
        )


def check_bias(bias: object, out_channels: int, X: torch.Tensor, kernel_name: str,
               kernel: torch.Tensor) -> None:
    """``bias`` is ``None`` or a tensor of shape ``(out_channels,)`` with ``X``'s dtype.

    The message names the kernel the bias must match, e.g. ``"weight"`` or ``"K"``.
    """
    if bias is None:
        return
    if not isinstance(bias, torch.Tensor):
        raise ValueError(f"bias must be a torch.Tensor or None, got {type(bias).__name__}")
    if shape_of(bias) != (out_channels,):
        raise ValueError(
            f"bias must have shape ({out_channels},) to match {kernel_name} of shape "
            f"{shape_of(kernel)}, got {shape_of(bias)}"
        )
    if bias.dtype != X.dtype:
        raise ValueError(f"X has dtype {X.dtype} but bias has dtype {bias.dtype}")
