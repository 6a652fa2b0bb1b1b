"""LeNet-5, the convolutional network of LeCun et al. (1998), sized for 28×28 images.

Three variants share one class:

``"classic"``
    The network as usually reproduced for Fashion-MNIST: two 5×5 convolutions
    with sigmoid activations and 2×2 average pooling, then three fully connected
    layers (400 → 120 → 84 → classes). 61,706 parameters for 10 classes.
``"relu"``
    ReLU instead of sigmoid and max pooling instead of average pooling, nothing
    else: a network that learns within a few dozen steps, without batch norm
    (whose per-batch statistics make a run depend on how batches are split).
``"modern"``
    The same shapes with today's defaults: ReLU instead of sigmoid, max pooling
    instead of average pooling, and batch normalization after every convolution
    and hidden linear layer. It trains with a much smaller learning rate and
    converges in fewer epochs.

The first convolution pads by 2, so a 28×28 image keeps its size
(28 → 28 → 14 → 10 → 5), and the flattened feature map has 16 × 5 × 5 = 400
values -- which is why the network only accepts 28×28 inputs.
"""

from __future__ import annotations

import torch
from torch import nn

from .registry import register, with_defaults

__all__ = ["LeNet", "lenet", "VARIANTS"]

#: The accepted values of ``variant``.
VARIANTS = ("classic", "relu", "modern")

#: Input height and width the fully connected part is sized for.
INPUT_SIZE = 28


class LeNet(nn.Module):
    """LeNet-5 for ``(N, in_channels, 28, 28)`` images.

    Parameters
    ----------
    num_classes : int
        Size of the output layer.
    in_channels : int
        Channels of the input images.
    variant : {"classic", "relu", "modern"}
        ``"classic"``: sigmoid and average pooling; ``"relu"``: ReLU and max
        pooling; ``"modern"``: ReLU, max pooling and batch normalization (see
        the module docstring).

    Attributes
    ----------
    features : nn.Sequential
        The convolutional part: image → ``(N, 16, 5, 5)`` feature maps.
    classifier : nn.Sequential
        Flatten and the three fully connected layers: feature maps → logits.

    Examples
    --------
    The classic network, layer by layer (the first convolution keeps 28×28):

    >>> net = LeNet()
    >>> x = torch.zeros(1, 1, 28, 28)
    >>> for layer in [*net.features, *net.classifier]:
    ...     x = layer(x)
    ...     print(f"{layer.__class__.__name__:<10}{tuple(x.shape)}")
    Conv2d    (1, 6, 28, 28)
    Sigmoid   (1, 6, 28, 28)
    AvgPool2d (1, 6, 14, 14)
    Conv2d    (1, 16, 10, 10)
    Sigmoid   (1, 16, 10, 10)
    AvgPool2d (1, 16, 5, 5)
    Flatten   (1, 400)
    Linear    (1, 120)
    Sigmoid   (1, 120)
    Linear    (1, 84)
    Sigmoid   (1, 84)
    Linear    (1, 10)
    >>> sum(p.numel() for p in net.parameters())
    61706

    The modern variant has the same shapes plus batch normalization:

    >>> modern = LeNet(variant="modern")
    >>> [layer.__class__.__name__ for layer in modern.features]
    ['Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d']
    >>> modern(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])

    Other image sizes are refused with the shape in the message:

    >>> net(torch.zeros(1, 1, 32, 32))
    Traceback (most recent call last):
    ...
    ValueError: LeNet expects input of shape (N, 1, 28, 28), got (1, 1, 32, 32)
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1, variant: str = "classic"):
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        for label, value in (("num_classes", num_classes), ("in_channels", in_channels)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{label} must be a positive integer, got {value!r}")
        self.variant = variant
        self.in_channels = in_channels
        self.num_classes = num_classes
        modern = variant == "modern"
        relu = variant != "classic"
        # Batch normalization subtracts a per-channel mean, which cancels any
        # bias of the layer before it, so those layers drop their bias.
        bias = not modern

        def activation() -> nn.Module:
            return nn.ReLU() if relu else nn.Sigmoid()

        def pool() -> nn.Module:
            return nn.MaxPool2d(2, 2) if relu else nn.AvgPool2d(2, 2)

        def conv_block(cin: int, cout: int, padding: int) -> list[nn.Module]:
            layers: list[nn.Module] = [nn.Conv2d(cin, cout, 5, padding=padding, bias=bias)]
            if modern:
                layers.append(nn.BatchNorm2d(cout))
            return [*layers, activation(), pool()]

        def hidden_linear(fin: int, fout: int) -> list[nn.Module]:
            layers: list[nn.Module] = [nn.Linear(fin, fout, bias=bias)]
            if modern:
                layers.append(nn.BatchNorm1d(fout))
            return [*layers, activation()]

        self.features = nn.Sequential(
            *conv_block(in_channels, 6, padding=2),  # 28×28 → 28×28 → pool 14×14
            *conv_block(6, 16, padding=0),  # 14×14 → 10×10 → pool 5×5
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            *hidden_linear(16 * 5 * 5, 120),
            *hidden_linear(120, 84),
            nn.Linear(84, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        expected = (self.in_channels, INPUT_SIZE, INPUT_SIZE)
        if x.dim() != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(
                f"LeNet expects input of shape (N, {', '.join(map(str, expected))}), "
                f"got {tuple(x.shape)}"
            )
        return self.classifier(self.features(x))


@register("lenet")
def lenet(num_classes: int = 10, in_channels: int = 1, **options) -> LeNet:
    """The blog's LeNet (registered as ``"lenet"``); ``variant="relu"`` or ``"modern"`` (with batch norm).

    Options are checked as every family's are (:func:`~cnnguide.models.with_defaults`):
    a misspelt one is a ``ValueError`` that names it and the known ones.

    Examples
    --------
    >>> from cnnguide import models
    >>> sum(p.numel() for p in models.create("lenet").parameters())
    61706
    >>> models.create("lenet", variant="modern").variant
    'modern'
    >>> models.create("lenet", depth=3)
    Traceback (most recent call last):
    ...
    ValueError: lenet: unknown option(s) ['depth']; known options: ['variant']
    """
    options = with_defaults("lenet", options, {"variant": "classic"})
    return LeNet(num_classes=num_classes, in_channels=in_channels, **options)
