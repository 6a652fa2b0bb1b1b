"""ResNet: learn a residual ``F(x)`` and output ``F(x) + x`` (He et al., 2015).

A residual block adds its input to what its convolutions compute. If the
best thing a block can do is nothing, it only has to drive ``F`` to zero,
which is easier than learning an identity through several nonlinear layers;
and the addition gives gradients a direct path back to early layers. That is
why 18, 34 or 50 layers train where a plain stack of that depth does worse.

:class:`BasicBlock` (two 3×3 convolutions) builds ResNet-18 and -34;
:class:`Bottleneck` (1×1 reduce, 3×3, 1×1 expand ×4) builds ResNet-50.
Module names follow torchvision's ``resnet.py`` (``conv1``, ``bn1``,
``layer1`` … ``layer4``, ``fc``) except that the projection shortcut is called
``shortcut`` where torchvision says ``downsample``: in ResNet-50's first stage
it changes only the channels, not the resolution.
"""

from __future__ import annotations

import torch
from torch import nn

from .registry import register, with_defaults

__all__ = ["BasicBlock", "Bottleneck", "ResNet", "projection_shortcut", "resnet18", "resnet34", "resnet50"]


def projection_shortcut(in_channels: int, out_channels: int, stride: int) -> nn.Sequential:
    """A 1×1 convolution (with ``stride``) and batch norm, to reshape ``x`` for the sum.

    ``F(x) + x`` needs both terms to have the same shape. When a block halves
    the resolution or changes the number of channels, the identity no longer
    fits, and the cheapest learned map that does is a strided 1×1 convolution
    (option B of the paper). Its batch norm puts it on the same scale as the
    residual branch, which also ends in batch norm.

    Examples
    --------
    >>> proj = projection_shortcut(64, 128, stride=2)
    >>> proj(torch.zeros(1, 64, 56, 56)).shape
    torch.Size([1, 128, 28, 28])
    >>> sum(p.numel() for p in proj.parameters())  # 64·128 weights + 2·128 for BN
    8448
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
        nn.BatchNorm2d(out_channels),
    )


class BasicBlock(nn.Module):
    """Two 3×3 conv-BN layers plus a shortcut: ``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``.

    Parameters
    ----------
    in_channels : int
        Channels of the input.
    channels : int
        Channels of both convolutions and of the output (``expansion = 1``).
    stride : int
        Stride of the first convolution (2 to halve the resolution).

    Notes
    -----
    The convolutions have no bias: the batch norm after each one subtracts
    the mean anyway and brings its own learned shift.

    Examples
    --------
    >>> same = BasicBlock(64, 64)
    >>> same.shortcut
    Identity()
    >>> sum(p.numel() for p in same.parameters())  # 2·(64·64·9) + 2·(2·64)
    73984
    >>> down = BasicBlock(64, 128, stride=2)
    >>> down(torch.zeros(1, 64, 56, 56)).shape
    torch.Size([1, 128, 28, 28])
    """

    expansion = 1

    def __init__(self, in_channels: int, channels: int, stride: int = 1) -> None:
        super().__init__()
        out_channels = channels * self.expansion
        self.conv1 = nn.Conv2d(in_channels, channels, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(channels, out_channels, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride != 1 or in_channels != out_channels:
            self.shortcut = projection_shortcut(in_channels, out_channels, stride)
        else:
            self.shortcut = nn.Identity()

    def last_bn(self) -> nn.BatchNorm2d:
        """The batch norm that ends the residual branch (see ``zero_init_residual``)."""
        return self.bn2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))


class Bottleneck(nn.Module):
    """1×1 reduce, 3×3, 1×1 expand (×4), each with BN, plus a shortcut.

    The 1×1 convolutions make depth affordable: the 3×3 convolution works on
    ``channels`` maps while the block's input and output have ``4 · channels``.
    As in torchvision (and "ResNet v1.5"), the stride sits on the 3×3
    convolution, not on the first 1×1, which would discard three quarters of
    its input without looking at it.

    Parameters
    ----------
    in_channels : int
        Channels of the input.
    channels : int
        Channels of the inner convolutions; the output has ``4 * channels``.
    stride : int
        Stride of the 3×3 convolution.

    Examples
    --------
    >>> block = Bottleneck(64, 64)  # ResNet-50's first block: 64 -> 256 channels
    >>> type(block.shortcut).__name__  # channels change, so a projection
    'Sequential'
    >>> block(torch.zeros(1, 64, 56, 56)).shape
    torch.Size([1, 256, 56, 56])
    >>> sum(p.numel() for p in block.parameters())
    75008
    """

    expansion = 4

    def __init__(self, in_channels: int, channels: int, stride: int = 1) -> None:
        super().__init__()
        out_channels = channels * self.expansion
        self.conv1 = nn.Conv2d(in_channels, channels, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.conv3 = nn.Conv2d(channels, out_channels, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        if stride != 1 or in_channels != out_channels:
            self.shortcut = projection_shortcut(in_channels, out_channels, stride)
        else:
            self.shortcut = nn.Identity()

    def last_bn(self) -> nn.BatchNorm2d:
        """The batch norm that ends the residual branch (see ``zero_init_residual``)."""
        return self.bn3

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    """Stem (7×7/2 conv, BN, ReLU, 3×3/2 max pool), four stages of blocks, global average pool, linear.

    Each stage after the first halves the resolution (stride 2 in its first
    block) and doubles the channels (64, 128, 256, 512, times the block's
    ``expansion``).

    Parameters
    ----------
    block : type
        :class:`BasicBlock` or :class:`Bottleneck`.
    blocks_per_stage : sequence of 4 ints
        ``(2, 2, 2, 2)`` for ResNet-18, ``(3, 4, 6, 3)`` for ResNet-34 and -50.
    num_classes, in_channels : int
        Outputs of the classifier; channels of the input images.
    zero_init_residual : bool
        Start the last batch norm of every residual branch at zero scale,
        so that each block begins as the identity (its shortcut); the network
        then starts out as a shallow one and grows into its depth. Goyal et
        al. (2017) found this helps large-batch training; torchvision offers it
        with the same name, off by default. The training loop's default
        ``init="xavier"`` resets every batch norm to scale 1, undoing this:
        train with ``init=None`` to keep it.

    Examples
    --------
    >>> net = ResNet(BasicBlock, (1, 1, 1, 1), num_classes=10, in_channels=1)
    >>> net(torch.zeros(2, 1, 96, 96)).shape
    torch.Size([2, 10])
    """

    def __init__(
        self,
        block,
        blocks_per_stage,
        num_classes: int = 1000,
        in_channels: int = 3,
        zero_init_residual: bool = False,
    ) -> None:
        super().__init__()
        if len(blocks_per_stage) != 4 or any(n < 1 for n in blocks_per_stage):
            raise ValueError(f"blocks_per_stage must be 4 positive integers, got {blocks_per_stage!r}")
        self.conv1 = nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        channels_in = 64
        stages = []
        for index, (channels, num_blocks) in enumerate(zip((64, 128, 256, 512), blocks_per_stage)):
            stride = 1 if index == 0 else 2  # the stem's max pool already halved the first stage's input
            stage = [block(channels_in, channels, stride)]
            channels_in = channels * block.expansion
            stage += [block(channels_in, channels) for _ in range(num_blocks - 1)]
            stages.append(nn.Sequential(*stage))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(channels_in, num_classes)
        self._init_weights(zero_init_residual)

    def _init_weights(self, zero_init_residual: bool) -> None:
        # torchvision's scheme: He (Kaiming) normal for convolutions, batch
        # norm as the identity (scale 1, shift 0), PyTorch's default for the
        # linear layer. The training loop's ``init="xavier"`` (the d2l book's
        # choice) re-initialises Conv2d and Linear layers when asked.
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, (BasicBlock, Bottleneck)):
                    nn.init.zeros_(m.last_bn().weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = self.avgpool(x)
        return self.fc(torch.flatten(x, 1))


def _build(name: str, block, blocks_per_stage, num_classes: int, in_channels: int, **options) -> ResNet:
    zero_init = with_defaults(name, options, {"zero_init_residual": False})["zero_init_residual"]
    if not isinstance(zero_init, bool):
        raise ValueError(f"{name}: zero_init_residual must be True or False, got {zero_init!r}")
    return ResNet(block, blocks_per_stage, num_classes, in_channels, zero_init_residual=zero_init)


@register("resnet18")
def resnet18(num_classes: int, in_channels: int, **options) -> ResNet:
    """ResNet-18: :class:`BasicBlock` × (2, 2, 2, 2).

    ``create("resnet18")`` (10 classes, 1 channel) is the network the d2l
    book trains on Fashion-MNIST resized to 96×96; with ``num_classes=1000,
    in_channels=3`` it is torchvision's ``resnet18`` (11,689,512 parameters).

    Parameters
    ----------
    num_classes, in_channels : int
        Outputs of the classifier; channels of the input images.
    **options
        ``zero_init_residual`` (bool, default False): see :class:`ResNet`.

    Raises
    ------
    ValueError
        For an unknown option.

    Examples
    --------
    >>> net = resnet18(num_classes=10, in_channels=1)
    >>> net(torch.zeros(1, 1, 96, 96)).shape
    torch.Size([1, 10])
    >>> sum(p.numel() for p in net.parameters())
    11175370
    """
    return _build("resnet18", BasicBlock, (2, 2, 2, 2), num_classes, in_channels, **options)


@register("resnet34")
def resnet34(num_classes: int, in_channels: int, **options) -> ResNet:
    """ResNet-34: :class:`BasicBlock` × (3, 4, 6, 3); options as :func:`resnet18`."""
    return _build("resnet34", BasicBlock, (3, 4, 6, 3), num_classes, in_channels, **options)


@register("resnet50")
def resnet50(num_classes: int, in_channels: int, **options) -> ResNet:
    """ResNet-50: :class:`Bottleneck` × (3, 4, 6, 3); options as :func:`resnet18`."""
    return _build("resnet50", Bottleneck, (3, 4, 6, 3), num_classes, in_channels, **options)
