"""Batch normalization, written from scratch with PyTorch's conventions.

During training a batch-normalization layer standardises every feature (a
column of a ``(N, D)`` matrix, or a channel of a ``(N, C, H, W)`` tensor) with
the mean and variance of the current mini-batch, then scales and shifts it by
two learned vectors, ``gamma`` and ``beta``. It also keeps exponential moving
averages of the batch statistics; at evaluation time it normalises with those
instead, so a prediction does not depend on the other examples in the batch.

Two conventions of :class:`torch.nn.BatchNorm2d` are easy to get wrong, and
:func:`batch_norm` follows both:

- the batch is normalised with the *biased* variance (divide by ``n``), but the
  running variance is updated with the *unbiased* one (divide by ``n - 1``),
  where ``n`` is the number of values per feature (``N``, or ``N * H * W``);
- ``momentum`` is the weight of the *new* batch:
  ``running = (1 - momentum) * running + momentum * batch``, with a default of
  0.1. (Some texts, d2l among them, call ``0.9`` the momentum: the weight of
  the *old* value.)

>>> import torch
>>> from cnnguide.ops import BatchNorm
>>> X = torch.tensor([[1., 10.], [3., 30.]])
>>> bn = BatchNorm(2, num_dims=2)
>>> bn(X)  # each column becomes (-1, 1) up to eps
tensor([[-1.0000, -1.0000],
        [ 1.0000,  1.0000]], grad_fn=<...>)
>>> bn.running_mean, bn.running_var  # 0.9 * (0, 1) + 0.1 * (mean, unbiased var)
(tensor([0.2000, 2.0000]), tensor([ 1.1000, 20.9000]))
"""

from __future__ import annotations

import numbers

import torch
from torch import nn

from cnnguide.ops._checks import check_floating, check_tensor, shape_of

__all__ = ["BatchNorm", "batch_norm"]


def _check_vector(value: object, name: str, channels: int) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if tuple(value.shape) != (channels,):
        raise ValueError(
            f"{name} must have shape ({channels},), one entry per feature of X, got {shape_of(value)}"
        )
    check_floating(value, name)
    return value


def batch_norm(
    X: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    moving_mean: torch.Tensor,
    moving_var: torch.Tensor,
    eps: float,
    momentum: float,
    training: bool,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Normalise ``X`` per feature, then scale by ``gamma`` and shift by ``beta``.

    In training mode, with the batch's mean :math:`\\mu` and biased variance
    :math:`\\sigma^2` of each feature,

    .. math:: Y = \\gamma \\, \\frac{X - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}} + \\beta,

    and the moving statistics are updated as
    ``(1 - momentum) * moving + momentum * batch``, with the *unbiased*
    variance for ``moving_var`` (PyTorch's convention). In evaluation mode the
    moving statistics replace :math:`\\mu` and :math:`\\sigma^2` and are
    returned unchanged.

    Matches :func:`torch.nn.functional.batch_norm` (values and gradients).

    Parameters
    ----------
    X : torch.Tensor
        ``(N, D)`` (after a fully connected layer; statistics over the ``N``
        examples) or ``(N, C, H, W)`` (after a convolution; statistics over
        ``N``, ``H`` and ``W``, one per channel). Floating point.
    gamma, beta : torch.Tensor
        Scale and shift, shape ``(D,)`` or ``(C,)``.
    moving_mean, moving_var : torch.Tensor
        Running statistics, same shape. Not modified: the updated ones are
        returned.
    eps : float
        Added to the variance before the square root, ``> 0``.
    momentum : float
        Weight of the current batch in the moving averages, in ``[0, 1]``.
    training : bool
        Batch statistics (``True``) or moving statistics (``False``).

    Returns
    -------
    Y : torch.Tensor
        Same shape and dtype as ``X``.
    moving_mean, moving_var : torch.Tensor
        The updated running statistics (detached from the graph), or the
        given ones in evaluation mode.

    Raises
    ------
    ValueError
        If ``X`` is not a 2-D or 4-D floating tensor, a parameter does not
        have one entry per feature, ``eps`` or ``momentum`` is out of range, or
        a training batch has a single value per feature (its variance would be
        0 and the unbiased variance undefined).

    Examples
    --------
    Two channels of a 4-D input, one batch of training:

    >>> X = torch.arange(16.).reshape(2, 2, 2, 2)
    >>> ones, zeros = torch.ones(2), torch.zeros(2)
    >>> Y, mean, var = batch_norm(X, ones, zeros, zeros, ones, 1e-5, 0.1, training=True)
    >>> Y.mean(dim=(0, 2, 3)), Y.var(dim=(0, 2, 3), unbiased=False)
    (tensor([0., 0.]), tensor([1.0000, 1.0000]))
    >>> mean, var
    (tensor([0.5500, 0.9500]), tensor([2.8714, 2.8714]))

    In evaluation mode the running statistics are used and kept:

    >>> Y, _, _ = batch_norm(torch.tensor([[4.]]), torch.ones(1), torch.zeros(1),
    ...                      torch.tensor([2.]), torch.tensor([4.]), 0.0001, 0.1, training=False)
    >>> Y  # (4 - 2) / sqrt(4)
    tensor([[1.0000]])

    Shapes are checked:

    >>> batch_norm(torch.zeros(4, 3), ones, zeros, zeros, ones, 1e-5, 0.1, True)
    Traceback (most recent call last):
    ...
    ValueError: gamma must have shape (3,), one entry per feature of X, got (2,)
    """
    check_tensor(X, "X", (2, 4))
    check_floating(X, "X")
    channels = X.shape[1]
    gamma = _check_vector(gamma, "gamma", channels)
    beta = _check_vector(beta, "beta", channels)
    moving_mean = _check_vector(moving_mean, "moving_mean", channels)
    moving_var = _check_vector(moving_var, "moving_var", channels)
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps > 0:
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real) or not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be a number in [0, 1], got {momentum!r}")
    if not isinstance(training, bool):
        raise ValueError(f"training must be True or False, got {training!r}")

    # Statistics per feature: over the batch for (N, D); over the batch and
    # every position for (N, C, H, W), because a convolution applies the same
    # kernel everywhere, so all positions of a channel are one feature.
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    view = (1, channels) if X.dim() == 2 else (1, channels, 1, 1)
    # Half-precision inputs (under autocast) are normalised in float32: a mean
    # of thousands of bf16 values would lose most of its digits.
    compute = torch.promote_types(X.dtype, torch.float32)
    Xc = X.to(compute)
    if training:
        count = X.numel() // channels
        if count < 2:
            raise ValueError(
                f"batch normalization in training mode needs more than one value per feature, "
                f"got X of shape {shape_of(X)}"
            )
        mean = Xc.mean(dim=dims)
        var = ((Xc - mean.reshape(view)) ** 2).mean(dim=dims)  # biased: divide by n
        with torch.no_grad():
            unbiased = var * (count / (count - 1))
            moving_mean = (1 - momentum) * moving_mean + momentum * mean.to(moving_mean.dtype)
            moving_var = (1 - momentum) * moving_var + momentum * unbiased.to(moving_var.dtype)
    else:
        mean, var = moving_mean.to(compute), moving_var.to(compute)
    X_hat = (Xc - mean.reshape(view)) / torch.sqrt(var.reshape(view) + eps)
    Y = gamma.reshape(view) * X_hat + beta.reshape(view)
    return Y.to(X.dtype), moving_mean, moving_var


class BatchNorm(nn.Module):
    """A batch-normalization layer built on :func:`batch_norm`.

    Behaves like :class:`torch.nn.BatchNorm1d` (``num_dims=2``) or
    :class:`torch.nn.BatchNorm2d` (``num_dims=4``) with their defaults
    (``affine=True``, ``track_running_stats=True``), in training and in
    evaluation mode, and uses their names for the state: the scale
    :math:`\\gamma` is ``weight``, the shift :math:`\\beta` is ``bias``, and
    the buffers are ``running_mean``, ``running_var`` and
    ``num_batches_tracked``. A state dict therefore loads into either class.

    Parameters
    ----------
    num_features : int
        ``D`` of a ``(N, D)`` input or ``C`` of a ``(N, C, H, W)`` input.
    num_dims : {2, 4}
        Rank of the inputs: 2 after a fully connected layer, 4 after a
        convolution.
    eps : float
        Added to the variance, as in torch (``1e-5``).
    momentum : float or None
        Weight of each new batch in the running statistics (torch's ``0.1``);
        ``None`` gives the plain average of all batches so far, as in torch.

    Examples
    --------
    >>> bn = BatchNorm(3, num_dims=4)
    >>> bn(torch.randn(8, 3, 5, 5)).shape
    torch.Size([8, 3, 5, 5])
    >>> int(bn.num_batches_tracked), sorted(bn.state_dict()) == sorted(nn.BatchNorm2d(3).state_dict())
    (1, True)
    >>> bn(torch.randn(8, 3, 5))
    Traceback (most recent call last):
    ...
    ValueError: BatchNorm(num_dims=4) expects a 4-D input, got shape (8, 3, 5)
    """

    def __init__(self, num_features: int, num_dims: int, eps: float = 1e-5, momentum: float | None = 0.1):
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, int) or num_features < 1:
            raise ValueError(f"num_features must be a positive integer, got {num_features!r}")
        if num_dims not in (2, 4) or isinstance(num_dims, bool):
            raise ValueError(f"num_dims must be 2 (fully connected) or 4 (convolutional), got {num_dims!r}")
        if momentum is not None and (isinstance(momentum, bool) or not 0 <= momentum <= 1):
            raise ValueError(f"momentum must be None or a number in [0, 1], got {momentum!r}")
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps > 0:
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        self.num_features, self.num_dims = num_features, num_dims
        self.eps, self.momentum = float(eps), momentum
        self.weight = nn.Parameter(torch.empty(num_features))
        self.bias = nn.Parameter(torch.empty(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batch seen."""
        self.running_mean.zero_()
        self.running_var.fill_(1)
        self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """``gamma = 1`` and ``beta = 0`` (the identity at first), and fresh running statistics."""
        self.reset_running_stats()
        with torch.no_grad():
            self.weight.fill_(1)
            self.bias.zero_()

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if not isinstance(X, torch.Tensor) or X.dim() != self.num_dims:
            shape = shape_of(X) if isinstance(X, torch.Tensor) else type(X).__name__
            raise ValueError(f"BatchNorm(num_dims={self.num_dims}) expects a {self.num_dims}-D input, got shape {shape}")
        if X.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm({self.num_features}) expects {self.num_features} features in "
                             f"dimension 1, got shape {shape_of(X)}")
        momentum = self.momentum
        if momentum is None:  # cumulative average: the n-th batch gets weight 1/n
            momentum = 1.0 / (int(self.num_batches_tracked) + 1) if self.training else 0.0
        Y, mean, var = batch_norm(X, self.weight, self.bias, self.running_mean, self.running_var,
                                  self.eps, momentum, self.training)
        if self.training:  # only once batch_norm has accepted the batch
            with torch.no_grad():
                self.running_mean.copy_(mean)
                self.running_var.copy_(var)
                self.num_batches_tracked.add_(1)
        return Y

    def extra_repr(self) -> str:
        return f"{self.num_features}, num_dims={self.num_dims}, eps={self.eps}, momentum={self.momentum}"
