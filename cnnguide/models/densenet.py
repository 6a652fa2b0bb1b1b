"""DenseNet: every layer sees the concatenation of all earlier ones (Huang et al., 2016).

Where a residual block *adds* its input to its output, a dense block
*concatenates* them: layer ``i`` of a block receives the block's input and
the outputs of layers ``1 … i-1`` stacked on the channel axis, and adds only
``growth_rate`` new channels. Concatenation keeps earlier features intact
(nothing is summed away), so each layer can be narrow and reuse what is
already there; the price is that channels grow linearly through a block.
Transition layers (BN-ReLU-1×1 conv-2×2 average pool) between blocks halve
both the channels and the resolution to keep that growth in check.

Module names equal torchvision's ``densenet.py`` (``features.conv0``,
``features.denseblock1.denselayer1.norm1``, ``features.transition1.conv``,
``features.norm5``, ``classifier``), so torchvision's weights load without
renaming (see :mod:`cnnguide.models.torchvision_weights`).
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn
from torch.nn import functional as F

from .registry import register, with_defaults

__all__ = ["DenseBlock", "DenseLayer", "DenseNet", "Transition", "densenet121", "densenet_small"]


class DenseLayer(nn.Sequential):
    """One layer of a dense block: computes ``growth_rate`` new channels.

    With a bottleneck (``bn_size`` given, "DenseNet-B", as in DenseNet-121):
    BN-ReLU-1×1 conv to ``bn_size · growth_rate`` channels, then BN-ReLU-3×3
    conv to ``growth_rate``. The 1×1 convolution caps the cost of the 3×3 one,
    whose input would otherwise be the block's ever-growing concatenation.
    Without (``bn_size=None``, the d2l book's layer): BN-ReLU-3×3 conv.

    Batch norm and ReLU come *before* each convolution ("pre-activation"):
    the concatenated input mixes channels from many layers with different
    scales, and normalising it is the first thing each layer does.

    Examples
    --------
    >>> layer = DenseLayer(64, growth_rate=32)  # DenseNet-121's first layer
    >>> layer(torch.zeros(1, 64, 56, 56)).shape
    torch.Size([1, 32, 56, 56])
    >>> sum(p.numel() for p in layer.parameters())  # 2·64 + 64·128 + 2·128 + 128·32·9
    45440
    >>> [name for name, _ in DenseLayer(64, 32, bn_size=None).named_children()]
    ['norm', 'relu', 'conv']
    """

    def __init__(self, in_channels: int, growth_rate: int, bn_size: int | None = 4, drop_rate: float = 0.0) -> None:
        if bn_size is None:
            layers = [
                ("norm", nn.BatchNorm2d(in_channels)),
                ("relu", nn.ReLU(inplace=True)),
                ("conv", nn.Conv2d(in_channels, growth_rate, kernel_size=3, padding=1, bias=False)),
            ]
        else:
            width = bn_size * growth_rate
            layers = [
                ("norm1", nn.BatchNorm2d(in_channels)),
                ("relu1", nn.ReLU(inplace=True)),
                ("conv1", nn.Conv2d(in_channels, width, kernel_size=1, bias=False)),
                ("norm2", nn.BatchNorm2d(width)),
                ("relu2", nn.ReLU(inplace=True)),
                ("conv2", nn.Conv2d(width, growth_rate, kernel_size=3, padding=1, bias=False)),
            ]
        if drop_rate > 0:
            layers.append(("dropout", nn.Dropout(p=drop_rate)))
        super().__init__(OrderedDict(layers))


class DenseBlock(nn.Module):
    """``num_layers`` dense layers, each fed the concatenation of everything before it.

    The output has ``in_channels + num_layers · growth_rate`` channels and the
    input's height and width.

    Parameters
    ----------
    num_layers : int
        Number of :class:`DenseLayer` (named ``denselayer1`` …).
    in_channels : int
        Channels of the block's input.
    growth_rate : int
        Channels each layer adds.
    bn_size : int or None
        Bottleneck factor of each layer (4 in DenseNet-121), or None for
        plain BN-ReLU-3×3 conv layers.
    drop_rate : float
        Dropout after each layer's last convolution (0 in the paper's
        ImageNet models).

    Examples
    --------
    The d2l book's example: two layers of growth 10 on 3 channels.

    >>> block = DenseBlock(2, 3, growth_rate=10, bn_size=None)
    >>> block(torch.zeros(4, 3, 8, 8)).shape  # 3 + 2·10 channels
    torch.Size([4, 23, 8, 8])
    """

    def __init__(
        self, num_layers: int, in_channels: int, growth_rate: int, bn_size: int | None = 4, drop_rate: float = 0.0
    ) -> None:
        super().__init__()
        for i in range(num_layers):
            layer = DenseLayer(in_channels + i * growth_rate, growth_rate, bn_size, drop_rate)
            self.add_module(f"denselayer{i + 1}", layer)
        self.out_channels = in_channels + num_layers * growth_rate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.children():
            # Concatenate, don't add: the new channels join the old ones.
            x = torch.cat([x, layer(x)], dim=1)
        return x


class Transition(nn.Sequential):
    """BN-ReLU-1×1 conv-2×2 average pool: fewer channels, half the resolution.

    Examples
    --------
    >>> Transition(23, 10)(torch.zeros(4, 23, 8, 8)).shape
    torch.Size([4, 10, 4, 4])
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(
            OrderedDict(
                [
                    ("norm", nn.BatchNorm2d(in_channels)),
                    ("relu", nn.ReLU(inplace=True)),
                    ("conv", nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)),
                    ("pool", nn.AvgPool2d(kernel_size=2, stride=2)),
                ]
            )
        )


class DenseNet(nn.Module):
    """Stem, dense blocks with halving transitions between them, BN-ReLU-global pool-linear head.

    Stem: 7×7/2 convolution to ``num_init_features`` channels, BN, ReLU,
    3×3/2 max pool. Each transition halves the channels (the paper's
    compression 0.5) and the resolution.

    Parameters
    ----------
    block_config : sequence of int
        Layers per dense block: ``(6, 12, 24, 16)`` for DenseNet-121.
    growth_rate : int
        Channels each dense layer adds (32).
    num_init_features : int
        Channels of the stem (64).
    bn_size : int or None
        Bottleneck factor of the dense layers (4), or None for no bottleneck.
    drop_rate : float
        Dropout after each dense layer.
    num_classes, in_channels : int
        Outputs of the classifier; channels of the input images.

    Examples
    --------
    >>> net = DenseNet((2, 2), growth_rate=8, num_init_features=16, num_classes=10, in_channels=1)
    >>> net.features.denseblock1.out_channels, net.features.transition1.conv.out_channels
    (32, 16)
    >>> net(torch.zeros(2, 1, 32, 32)).shape
    torch.Size([2, 10])
    """

    def __init__(
        self,
        block_config,
        growth_rate: int = 32,
        num_init_features: int = 64,
        bn_size: int | None = 4,
        drop_rate: float = 0.0,
        num_classes: int = 1000,
        in_channels: int = 3,
    ) -> None:
        super().__init__()
        features = OrderedDict(
            [
                ("conv0", nn.Conv2d(in_channels, num_init_features, kernel_size=7, stride=2, padding=3, bias=False)),
                ("norm0", nn.BatchNorm2d(num_init_features)),
                ("relu0", nn.ReLU(inplace=True)),
                ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
            ]
        )
        channels = num_init_features
        for i, num_layers in enumerate(block_config, start=1):
            block = DenseBlock(num_layers, channels, growth_rate, bn_size, drop_rate)
            features[f"denseblock{i}"] = block
            channels = block.out_channels
            if i < len(block_config):
                features[f"transition{i}"] = Transition(channels, channels // 2)
                channels //= 2
        # Pre-activation layers leave the last block's output un-normalised,
        # so the head starts with its own BN (and the ReLU in forward).
        features["norm5"] = nn.BatchNorm2d(channels)
        self.features = nn.Sequential(features)
        self.classifier = nn.Linear(channels, num_classes)
        # torchvision's scheme: He (Kaiming) normal convolutions, identity
        # batch norms, zero linear bias. The training loop's ``init="xavier"``
        # (the d2l book's choice) re-initialises Conv2d and Linear if asked.
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.features(x))
        x = F.adaptive_avg_pool2d(x, (1, 1))
        return self.classifier(torch.flatten(x, 1))


def _settings(name: str, num_classes: int, in_channels: int, **options) -> dict:
    drop_rate = with_defaults(name, options, {"drop_rate": 0.0})["drop_rate"]
    if isinstance(drop_rate, bool) or not isinstance(drop_rate, (int, float)) or not 0.0 <= drop_rate < 1.0:
        raise ValueError(f"{name}: drop_rate must be in [0, 1), got {drop_rate!r}")
    return {"drop_rate": float(drop_rate), "num_classes": num_classes, "in_channels": in_channels}


@register("densenet121")
def densenet121(num_classes: int, in_channels: int, **options) -> DenseNet:
    """DenseNet-121: blocks of (6, 12, 24, 16) bottleneck layers, growth rate 32.

    With ``num_classes=1000, in_channels=3`` it is torchvision's
    ``densenet121`` (7,978,856 parameters). The 121 layers are
    1 stem convolution + 2·58 dense-layer convolutions + 3 transitions + 1
    classifier.

    Parameters
    ----------
    num_classes, in_channels : int
        Outputs of the classifier; channels of the input images.
    **options
        ``drop_rate`` (float, default 0): dropout after each dense layer.

    Raises
    ------
    ValueError
        For an unknown option or an out-of-range value.
    """
    settings = _settings("densenet121", num_classes, in_channels, **options)
    return DenseNet((6, 12, 24, 16), growth_rate=32, num_init_features=64, bn_size=4, **settings)


@register("densenet_small")
def densenet_small(num_classes: int, in_channels: int, **options) -> DenseNet:
    """The d2l book's DenseNet: four blocks of four BN-ReLU-3×3 conv layers, growth rate 32.

    Stem as DenseNet-121 (64 channels); no bottleneck; the channels go
    64 → 192 → 96 → 224 → 112 → 240 → 120 → 248. It differs from the book's
    only in leaving out the convolution biases: every convolution's output
    goes into a batch norm (directly, or after concatenation), which
    subtracts the mean and brings its own shift.

    Parameters
    ----------
    num_classes, in_channels : int
        Outputs of the classifier; channels of the input images.
    **options
        ``drop_rate`` (float, default 0): dropout after each dense layer.

    Examples
    --------
    >>> net = densenet_small(num_classes=10, in_channels=1)
    >>> net(torch.zeros(2, 1, 96, 96)).shape
    torch.Size([2, 10])
    >>> net.classifier.in_features
    248
    """
    settings = _settings("densenet_small", num_classes, in_channels, **options)
    return DenseNet((4, 4, 4, 4), growth_rate=32, num_init_features=64, bn_size=None, **settings)
