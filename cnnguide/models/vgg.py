"""VGG: networks made by repeating one block (Simonyan & Zisserman, 2014).

A VGG block is a few 3×3 convolutions with ReLU, then a 2×2 max pool that
halves height and width. Stacking five such blocks, with channels doubling
64 → 128 → 256 → 512 → 512, gives the whole convolutional part; three fully
connected layers classify.

Why 3×3 everywhere? Two stacked 3×3 convolutions see a 5×5 window and three
see 7×7, yet with ``C`` channels they cost ``2·9·C²`` or ``3·9·C²`` weights
instead of ``25·C²`` or ``49·C²``, and they put a ReLU between the steps.

The registered names ``vgg11``, ``vgg13``, ``vgg16`` and ``vgg19`` are the
paper's configurations A, B, D and E. At ``num_classes=1000, in_channels=3``
their module names and parameter counts equal torchvision's, so
:func:`cnnguide.models.torchvision_weights.from_torchvision` can load
torchvision's weights into them.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .registry import register, with_defaults

__all__ = ["VGG", "VGG_CONFIGS", "vgg11", "vgg13", "vgg16", "vgg19", "vgg_block"]

#: ``(num_convs, out_channels)`` of each block, per configuration.
VGG_CONFIGS: dict[str, tuple[tuple[int, int], ...]] = {
    "vgg11": ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)),
    "vgg13": ((2, 64), (2, 128), (2, 256), (2, 512), (2, 512)),
    "vgg16": ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)),
    "vgg19": ((2, 64), (2, 128), (4, 256), (4, 512), (4, 512)),
}


def vgg_block(num_convs: int, in_channels: int, out_channels: int) -> nn.Sequential:
    """``num_convs`` 3×3 convolutions (padding 1) with ReLU, then a 2×2 max pool.

    The padding keeps height and width through the convolutions, so only the
    pool changes them: each block halves the resolution.

    Parameters
    ----------
    num_convs : int
        Number of convolutions (at least 1).
    in_channels, out_channels : int
        Channels entering the block and leaving every convolution.

    Returns
    -------
    nn.Sequential
        ``[conv, ReLU] * num_convs + [MaxPool2d(2)]``; the ``j``-th
        convolution sits at index ``2 * j``.

    Examples
    --------
    >>> block = vgg_block(2, 3, 64)
    >>> block(torch.zeros(1, 3, 32, 32)).shape
    torch.Size([1, 64, 16, 16])
    >>> sum(p.numel() for p in block.parameters())  # (3·9 + 1)·64 + (64·9 + 1)·64
    38720
    """
    if num_convs < 1:
        raise ValueError(f"num_convs must be at least 1, got {num_convs}")
    layers: list[nn.Module] = []
    for _ in range(num_convs):
        layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


class VGG(nn.Module):
    """A VGG network: VGG blocks, a 7×7 adaptive average pool, three linear layers.

    Parameters
    ----------
    config : sequence of (int, int)
        ``(num_convs, out_channels)`` per block, e.g. ``VGG_CONFIGS["vgg11"]``.
    num_classes : int
        Outputs of the last layer.
    in_channels : int
        Channels of the input images.
    hidden_features : int
        Width of the two hidden linear layers (4096 in the paper).
    dropout : float
        Dropout probability after each hidden linear layer (0.5 in the paper).

    Notes
    -----
    The adaptive pool makes the classifier see 7×7 maps whatever the input
    size. At 224×224 the blocks already produce 7×7 (224 / 2⁵), so it does
    nothing there; it is kept so that smaller inputs (e.g. 64×64) still work
    and so that the layout matches torchvision's.

    Examples
    --------
    >>> net = VGG(((1, 16), (1, 32)), num_classes=10, in_channels=1, hidden_features=64)
    >>> net(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """

    def __init__(
        self,
        config,
        num_classes: int = 1000,
        in_channels: int = 3,
        hidden_features: int = 4096,
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        blocks = []
        for num_convs, out_channels in config:
            blocks.append(vgg_block(num_convs, in_channels, out_channels))
            in_channels = out_channels
        self.features = nn.Sequential(*blocks)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(in_channels * 7 * 7, hidden_features),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(hidden_features, hidden_features),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(hidden_features, num_classes),
        )
        self._init_weights()

    def _init_weights(self) -> None:
        # torchvision's scheme: Kaiming (He) normal for the ReLU convolutions,
        # small Gaussian weights for the linear layers, zero biases. (The
        # training loop's default ``init="xavier"`` re-initialises Conv2d and
        # Linear layers the way the d2l book does.)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = self.avgpool(x)
        return self.classifier(torch.flatten(x, 1))


def _build(name: str, num_classes: int, in_channels: int, **options) -> VGG:
    settings = with_defaults(name, options, {"width_multiplier": 1.0, "hidden_features": 4096, "dropout": 0.5})
    width = settings["width_multiplier"]
    if not isinstance(width, (int, float)) or isinstance(width, bool) or not math.isfinite(width) or width <= 0:
        raise ValueError(f"{name}: width_multiplier must be a positive number, got {width!r}")
    config = []
    for num_convs, channels in VGG_CONFIGS[name]:
        scaled = int(channels * width)
        if scaled < 1:
            raise ValueError(f"{name}: width_multiplier={width} leaves {channels} channels with none")
        config.append((num_convs, scaled))
    hidden = settings["hidden_features"]
    if isinstance(hidden, bool) or not isinstance(hidden, int) or hidden < 1:
        raise ValueError(f"{name}: hidden_features must be a positive integer, got {hidden!r}")
    dropout = settings["dropout"]
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
        raise ValueError(f"{name}: dropout must be in [0, 1), got {dropout!r}")
    return VGG(config, num_classes, in_channels, hidden_features=hidden, dropout=dropout)


@register("vgg11")
def vgg11(num_classes: int, in_channels: int, **options) -> VGG:
    """VGG-11 (configuration A): 8 convolutions in blocks of 1, 1, 2, 2, 2.

    Parameters
    ----------
    num_classes, in_channels : int
        Outputs of the classifier; channels of the input images.
    **options
        ``width_multiplier`` (float, default 1.0) scales every block's
        channels, rounded down. The d2l book trains VGG-11 at
        ``width_multiplier=0.25`` (16, 32, 64, 128, 128 channels) on 224×224
        Fashion-MNIST; the hidden linear layers keep their width, as in the
        book, unless ``hidden_features`` (int, default 4096) says otherwise.
        ``dropout`` (float, default 0.5) follows each hidden linear layer.

    Raises
    ------
    ValueError
        For an unknown option or an out-of-range value.

    Examples
    --------
    >>> net = vgg11(num_classes=10, in_channels=1, width_multiplier=0.25)
    >>> [block[0].out_channels for block in net.features]
    [16, 32, 64, 128, 128]
    >>> vgg11(10, 1, width=0.25)
    Traceback (most recent call last):
    ...
    ValueError: vgg11: unknown option(s) ['width']; known options: ['dropout', 'hidden_features', 'width_multiplier']
    """
    return _build("vgg11", num_classes, in_channels, **options)


@register("vgg13")
def vgg13(num_classes: int, in_channels: int, **options) -> VGG:
    """VGG-13 (configuration B): blocks of 2, 2, 2, 2, 2 convolutions; options as :func:`vgg11`."""
    return _build("vgg13", num_classes, in_channels, **options)


@register("vgg16")
def vgg16(num_classes: int, in_channels: int, **options) -> VGG:
    """VGG-16 (configuration D): blocks of 2, 2, 3, 3, 3 convolutions; options as :func:`vgg11`."""
    return _build("vgg16", num_classes, in_channels, **options)


@register("vgg19")
def vgg19(num_classes: int, in_channels: int, **options) -> VGG:
    """VGG-19 (configuration E): blocks of 2, 2, 4, 4, 4 convolutions; options as :func:`vgg11`."""
    return _build("vgg19", num_classes, in_channels, **options)
