"""Convolution, pooling and their arithmetic, written from scratch.

Everything a convolutional layer does, in the order the book introduces it:

- :mod:`~cnnguide.ops.correlation` -- :func:`corr2d` (the sliding window as a
  loop), :func:`corr2d_multi_in`, :func:`corr2d_multi_in_out`,
  :func:`corr2d_multi_in_out_1x1` (one matrix product), the fast batched
  :func:`conv2d`, and the learnable :class:`Conv2D`;
- :mod:`~cnnguide.ops.pooling` -- :func:`pool2d`, max and average;
- :mod:`~cnnguide.ops.arithmetic` -- :func:`conv_output_size`,
  :func:`receptive_field`, :func:`conv_param_count`, :func:`dense_param_count`;
- :mod:`~cnnguide.ops.normalization` -- :func:`batch_norm` and the
  :class:`BatchNorm` layer, with PyTorch's conventions;
- :mod:`~cnnguide.ops.transposed` -- :func:`conv_transpose2d`, the
  transposed convolution that upsamples, and :func:`conv_transpose_output_size`.

The tests check every operator against :mod:`torch.nn.functional` (values and
gradients) on random shapes. Wrong input raises a :class:`ValueError` that
names the shapes or values involved.

>>> import torch
>>> from cnnguide.ops import corr2d, conv_output_size
>>> corr2d(torch.arange(9).reshape(3, 3), torch.arange(4).reshape(2, 2))
tensor([[19, 25],
        [37, 43]])
>>> conv_output_size(3, 2)
2
"""

from cnnguide.ops.arithmetic import (
    conv_output_size,
    conv_param_count,
    dense_param_count,
    receptive_field,
)
from cnnguide.ops.correlation import (
    Conv2D,
    conv2d,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
)
from cnnguide.ops.normalization import BatchNorm, batch_norm
from cnnguide.ops.pooling import pool2d
from cnnguide.ops.transposed import conv_transpose2d, conv_transpose_output_size

__all__ = [
    "BatchNorm",
    "Conv2D",
    "batch_norm",
    "conv2d",
    "conv_output_size",
    "conv_param_count",
    "conv_transpose2d",
    "conv_transpose_output_size",
    "corr2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_multi_in_out_1x1",
    "dense_param_count",
    "pool2d",
    "receptive_field",
]
