"""Convolution arithmetic: output sizes, receptive fields and parameter counts.

These are the numbers one computes by hand when designing a network: how big
the feature map is after a layer, how much of the input one output unit can
see, and how many weights a layer costs compared with a fully connected one.
Each function checks its arguments (integers only, bools rejected) and raises
a :class:`ValueError` that names the numbers when they make no sense.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cnnguide.ops._checks import as_pair, check_int, is_int

__all__ = ["conv_output_size", "conv_param_count", "dense_param_count", "receptive_field"]


def conv_output_size(
    n: int, kernel_size: int, padding: int = 0, stride: int = 1, dilation: int = 1
) -> int:
    """Output length of a convolution or pooling window along one dimension.

    .. math::

        \\left\\lfloor \\frac{n + 2p - d(k - 1) - 1}{s} \\right\\rfloor + 1

    The dilated kernel spans ``d(k - 1) + 1`` input pixels; it fits
    ``n + 2p - d(k - 1) - 1`` pixels short of the end of the padded input, and
    a stride of ``s`` visits one position every ``s`` of those, plus the first.
    This is the formula behind :class:`torch.nn.Conv2d`'s output shape (and
    pooling's, with ``ceil_mode=False``), applied to height and width separately.

    Parameters
    ----------
    n : int
        Input length (height or width), ``>= 1``.
    kernel_size : int
        Kernel length, ``>= 1``.
    padding : int
        Padding added on *each* side, ``>= 0``.
    stride : int
        Step between windows, ``>= 1``.
    dilation : int
        Spacing between kernel taps, ``>= 1`` (1 is an ordinary kernel).

    Returns
    -------
    int
        Number of output positions, at least 1.

    Raises
    ------
    ValueError
        If an argument is not an int (or is a bool), is out of range, or the
        dilated kernel does not fit in the padded input.

    Examples
    --------
    >>> conv_output_size(3, 2)                 # the 3x3 input, 2x2 kernel example
    2
    >>> conv_output_size(4, 3, padding=1)      # padding 1 keeps a 3x3 kernel's size
    4
    >>> conv_output_size(224, 7, padding=3, stride=2)   # ResNet's first layer
    112
    >>> conv_output_size(8, 3, dilation=2)     # a dilated 3-tap kernel spans 5 pixels
    4
    >>> conv_output_size(2, 3)
    Traceback (most recent call last):
        ...
    ValueError: kernel_size 3 with dilation 1 spans 3 pixels, more than the padded input n + 2*padding = 2 + 2*0 = 2
    """
    n = check_int(n, "n", 1)
    k = check_int(kernel_size, "kernel_size", 1)
    p = check_int(padding, "padding", 0)
    s = check_int(stride, "stride", 1)
    d = check_int(dilation, "dilation", 1)
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        raise ValueError(
            f"kernel_size {k} with dilation {d} spans {span} pixels, more than the padded "
            f"input n + 2*padding = {n} + 2*{p} = {n + 2 * p}"
        )
    return (n + 2 * p - span) // s + 1


def receptive_field(layers: Iterable[Sequence[int]]) -> int:
    """Receptive field, in input pixels, of one output unit of a stack of layers.

    Each layer is a ``(kernel_size, stride)`` pair, listed from the input to
    the output. Layer ``i`` widens the field by ``k_i - 1`` of *its own input's*
    pixels, and each of those is ``s_0 s_1 ... s_{i-1}`` input pixels apart
    because of the strides below it:

    .. math::

        r = 1 + \\sum_i (k_i - 1) \\prod_{j < i} s_j

    Padding does not change the field's size (only where it sits). The same
    formula holds for pooling layers: pass their window and stride.

    Parameters
    ----------
    layers : iterable of (int, int)
        ``(kernel_size, stride)`` per layer, each ``>= 1``. Empty means no
        layers: one pixel sees one pixel.

    Returns
    -------
    int
        The side length of the square patch of input that one output unit depends on.

    Raises
    ------
    ValueError
        If ``layers`` is not an iterable of pairs of positive ints.

    Examples
    --------
    Two stacked 3x3 convolutions see as much as one 5x5; three see 7x7:

    >>> receptive_field([(3, 1), (3, 1)])
    5
    >>> receptive_field([(3, 1)] * 3)
    7

    A 2x2, stride-2 pooling doubles the reach of every layer after it: the
    last 3x3 layer adds 4 pixels instead of 2.

    >>> receptive_field([(3, 1), (2, 2), (3, 1)])
    8
    >>> receptive_field([])
    1
    """
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Iterable):
        raise ValueError(
            f"layers must be a sequence of (kernel_size, stride) pairs, got {layers!r}"
        )
    field, jump = 1, 1
    for index, layer in enumerate(layers):
        if (
            not isinstance(layer, Sequence)
            or isinstance(layer, str)
            or len(layer) != 2
            or not all(is_int(v) and v >= 1 for v in layer)
        ):
            raise ValueError(
                f"layer {index} must be a (kernel_size, stride) pair of ints >= 1, got {layer!r}"
            )
        kernel_size, stride = int(layer[0]), int(layer[1])
        field += (kernel_size - 1) * jump
        jump *= stride
    return field


def _check_bias(bias: object) -> bool:
    if not isinstance(bias, bool):
        raise ValueError(f"bias must be True or False, got {bias!r}")
    return bias


def conv_param_count(
    in_channels: int, out_channels: int, kernel_size: int | tuple[int, int], bias: bool = True
) -> int:
    """Number of learnable parameters in a 2-D convolutional layer.

    Each of the ``out_channels`` kernels has one ``kh x kw`` slice per input
    channel, plus one bias: ``out * (in * kh * kw + 1)``. The count does not
    depend on the image size -- the weights are shared across positions.

    Parameters
    ----------
    in_channels, out_channels : int
        Channel counts, ``>= 1``.
    kernel_size : int or (int, int)
        Kernel height and width, ``>= 1``.
    bias : bool
        Whether each output channel has a bias.

    Returns
    -------
    int
        Equal to ``sum(p.numel() for p in nn.Conv2d(...).parameters())``.

    Raises
    ------
    ValueError
        On non-integer, bool or non-positive sizes, or a non-bool ``bias``.

    Examples
    --------
    An 8x8x3 colour image and five 3x3 kernels: 5 * (3*3*3 + 1) weights,
    whatever the image size.

    >>> conv_param_count(3, 5, 3)
    140
    >>> conv_param_count(3, 5, 3, bias=False)
    135
    >>> conv_param_count(64, 128, (1, 1))
    8320
    """
    c_in = check_int(in_channels, "in_channels", 1)
    c_out = check_int(out_channels, "out_channels", 1)
    kh, kw = as_pair(kernel_size, "kernel_size", minimum=1)
    return c_out * (c_in * kh * kw + int(_check_bias(bias)))


def dense_param_count(in_features: int, out_features: int, bias: bool = True) -> int:
    """Number of learnable parameters in a fully connected (``nn.Linear``) layer.

    Every output unit has one weight per input and one bias:
    ``out * (in + 1)``.

    Parameters
    ----------
    in_features, out_features : int
        Layer widths, ``>= 1``.
    bias : bool
        Whether each output unit has a bias.

    Returns
    -------
    int
        Equal to ``sum(p.numel() for p in nn.Linear(...).parameters())``.

    Raises
    ------
    ValueError
        On non-integer, bool or non-positive sizes, or a non-bool ``bias``.

    Examples
    --------
    A 512x512 grey image has 512 * 512 = 262,144 inputs, so a single fully
    connected unit looking at all of it already needs 262,144 weights:

    >>> dense_param_count(512 * 512, 1, bias=False)
    262144

    Flattening a 3x3x5 feature map into a 4096-unit layer:

    >>> dense_param_count(3 * 3 * 5, 4096)
    188416
    """
    n_in = check_int(in_features, "in_features", 1)
    n_out = check_int(out_features, "out_features", 1)
    return n_out * (n_in + int(_check_bias(bias)))
