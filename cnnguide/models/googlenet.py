"""GoogLeNet: Inception blocks that look at several scales at once (Szegedy et al., 2014).

An Inception block runs four branches side by side on the same input — a
1×1 convolution; 1×1 then 3×3; 1×1 then 5×5; 3×3 max pool then 1×1 — and
concatenates their outputs along the channel axis. Rather than choosing one
kernel size per layer, the network gets all of them and learns how many
channels to give each. The 1×1 convolutions in front of the 3×3 and 5×5
ones shrink the channels first, which is what keeps the block affordable.

This module follows the paper's Table 1: the nine Inception blocks output
256, 480, 512, 512, 512, 528, 832, 832 and 1024 channels, the third branch
uses 5×5 convolutions, and there is no batch norm (the paper predates it).
torchvision's ``googlenet`` differs on purpose: it puts batch norm after
every convolution (and drops the convolution biases) and, through a
long-standing quirk of its ported weights, uses a 3×3 kernel in the third
branch. At ``num_classes=1000, in_channels=3`` this network therefore has
6,998,552 parameters against torchvision's 6,624,904 (both without
auxiliary classifiers): 6,624,904 + 380,928 (the 5×5 kernels' extra
weights over 3×3) + 7,280 (convolution biases) − 14,560 (torchvision's
batch-norm scales and shifts). ``tests/test_models.py`` checks this sum.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from .registry import register, with_defaults

__all__ = ["GoogLeNet", "GoogLeNetOutputs", "Inception", "InceptionAux", "conv_relu", "googlenet"]


def conv_relu(
    in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, padding: int = 0
) -> nn.Sequential:
    """A convolution followed by ReLU, the unit every GoogLeNet layer is made of.

    Examples
    --------
    >>> conv_relu(3, 64, kernel_size=7, stride=2, padding=3)(torch.zeros(1, 3, 224, 224)).shape
    torch.Size([1, 64, 112, 112])
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=padding),
        nn.ReLU(inplace=True),
    )


class Inception(nn.Module):
    """Four parallel branches whose outputs are concatenated on the channel axis.

    Every branch keeps height and width (padding 1 for 3×3, 2 for 5×5,
    stride-1 pooling), which is what makes the concatenation possible; the
    output has ``c1 + c2[1] + c3[1] + c4`` channels.

    Parameters
    ----------
    in_channels : int
        Channels of the input.
    c1 : int
        Branch 1: 1×1 convolution.
    c2 : (int, int)
        Branch 2: 1×1 convolution to ``c2[0]`` channels, then 3×3 to ``c2[1]``.
    c3 : (int, int)
        Branch 3: 1×1 convolution to ``c3[0]`` channels, then 5×5 to ``c3[1]``.
    c4 : int
        Branch 4: 3×3 max pool (stride 1), then 1×1 convolution to ``c4``.

    Examples
    --------
    Block 3a of the paper, on a 28×28 map with 192 channels:

    >>> block = Inception(192, 64, (96, 128), (16, 32), 32)
    >>> block(torch.zeros(1, 192, 28, 28)).shape  # 64 + 128 + 32 + 32 channels
    torch.Size([1, 256, 28, 28])
    >>> sum(p.numel() for p in block.parameters())
    163696
    """

    def __init__(self, in_channels: int, c1: int, c2: tuple[int, int], c3: tuple[int, int], c4: int) -> None:
        super().__init__()
        self.branch1 = conv_relu(in_channels, c1, kernel_size=1)
        self.branch2 = nn.Sequential(
            conv_relu(in_channels, c2[0], kernel_size=1),
            conv_relu(c2[0], c2[1], kernel_size=3, padding=1),
        )
        self.branch3 = nn.Sequential(
            conv_relu(in_channels, c3[0], kernel_size=1),
            conv_relu(c3[0], c3[1], kernel_size=5, padding=2),
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1),
            conv_relu(in_channels, c4, kernel_size=1),
        )
        self.out_channels = c1 + c2[1] + c3[1] + c4

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([branch(x) for branch in branches], dim=1)


class InceptionAux(nn.Module):
    """An auxiliary classifier on an intermediate map (paper, section 5).

    Average pool to 4×4 (the paper's 5×5/3 pool on a 14×14 map gives 4×4;
    an adaptive pool gives 4×4 at any input size), 1×1 convolution to 128
    channels, a 1024-unit linear layer, dropout 0.7, and a linear classifier.
    The paper adds their losses with weight 0.3 during training to push
    gradient into the middle of the network, and discards them at test time.

    Examples
    --------
    >>> InceptionAux(512, 10)(torch.zeros(2, 512, 14, 14)).shape
    torch.Size([2, 10])
    """

    def __init__(self, in_channels: int, num_classes: int) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d((4, 4))
        self.conv = conv_relu(in_channels, 128, kernel_size=1)
        self.fc1 = nn.Linear(128 * 4 * 4, 1024)
        self.relu = nn.ReLU(inplace=True)
        self.dropout = nn.Dropout(p=0.7)
        self.fc2 = nn.Linear(1024, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.flatten(self.conv(self.pool(x)), 1)
        return self.fc2(self.dropout(self.relu(self.fc1(x))))


class GoogLeNetOutputs(NamedTuple):
    """What :class:`GoogLeNet` returns in training mode when it has auxiliary classifiers."""

    logits: torch.Tensor
    aux1: torch.Tensor  # after block 4a
    aux2: torch.Tensor  # after block 4d


class GoogLeNet(nn.Module):
    """The network of the paper's Table 1 (without local response normalisation).

    Stem: 7×7/2 convolution (64), 3×3/2 max pool, 1×1 convolution (64),
    3×3 convolution (192), 3×3/2 max pool. Then Inception blocks 3a, 3b,
    max pool, 4a–4e, max pool, 5a, 5b, global average pool, dropout 0.4 and a
    linear classifier. Each max pool halves the resolution: 224 → 7 and
    96 → 3 at the last blocks.

    Parameters
    ----------
    num_classes, in_channels : int
        Outputs of the classifier; channels of the input images.
    aux_logits : bool
        Add the two auxiliary classifiers (after 4a and 4d). In training mode
        the forward pass then returns a :class:`GoogLeNetOutputs`
        ``(logits, aux1, aux2)``; in evaluation mode only the logits.
    dropout : float
        Dropout before the final linear layer (0.4 in the paper).

    Examples
    --------
    >>> net = GoogLeNet(num_classes=10, in_channels=1)
    >>> net(torch.zeros(2, 1, 96, 96)).shape
    torch.Size([2, 10])
    >>> [block.out_channels for block in net.inception_blocks()]
    [256, 480, 512, 512, 512, 528, 832, 832, 1024]
    """

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, aux_logits: bool = False, dropout: float = 0.4):
        super().__init__()
        self.stem = nn.Sequential(
            conv_relu(in_channels, 64, kernel_size=7, stride=2, padding=3),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
            conv_relu(64, 64, kernel_size=1),
            conv_relu(64, 192, kernel_size=3, padding=1),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        )
        # (c1, (c2 reduce, c2), (c3 reduce, c3), c4) from the paper's Table 1.
        self.inception3a = Inception(192, 64, (96, 128), (16, 32), 32)
        self.inception3b = Inception(256, 128, (128, 192), (32, 96), 64)
        self.maxpool3 = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.inception4a = Inception(480, 192, (96, 208), (16, 48), 64)
        self.inception4b = Inception(512, 160, (112, 224), (24, 64), 64)
        self.inception4c = Inception(512, 128, (128, 256), (24, 64), 64)
        self.inception4d = Inception(512, 112, (144, 288), (32, 64), 64)
        self.inception4e = Inception(528, 256, (160, 320), (32, 128), 128)
        self.maxpool4 = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.inception5a = Inception(832, 256, (160, 320), (32, 128), 128)
        self.inception5b = Inception(832, 384, (192, 384), (48, 128), 128)
        self.aux1 = InceptionAux(512, num_classes) if aux_logits else None
        self.aux2 = InceptionAux(528, num_classes) if aux_logits else None
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(1024, num_classes)
        # Kaiming (He) normal for the ReLU convolutions, zero biases. With no
        # batch norm to rescale activations, the variance must be preserved
        # on the forward pass, which is what ``mode="fan_in"`` does; the
        # ``fan_out`` of torchvision's batch-normed families would let the
        # signal grow through the 1×1 reductions (logits with a standard
        # deviation of 30 to 50 at initialisation instead of about 3). The training
        # loop's ``init="xavier"`` (the d2l book's choice) re-initialises
        # Conv2d and Linear layers when asked.
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def inception_blocks(self) -> list[Inception]:
        """The nine Inception blocks, in order (3a … 5b)."""
        return [m for m in self.modules() if isinstance(m, Inception)]

    def forward(self, x: torch.Tensor):
        x = self.stem(x)
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        aux1 = self.aux1(x) if self.aux1 is not None and self.training else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if self.aux2 is not None and self.training else None
        x = self.maxpool4(self.inception4e(x))
        x = self.inception5b(self.inception5a(x))
        x = self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))
        if aux1 is not None:
            return GoogLeNetOutputs(x, aux1, aux2)
        return x


@register("googlenet")
def googlenet(num_classes: int, in_channels: int, **options) -> GoogLeNet:
    """GoogLeNet as in the paper's Table 1; ``create("googlenet")`` takes 1×96×96 Fashion-MNIST.

    Parameters
    ----------
    num_classes, in_channels : int
        Outputs of the classifier; channels of the input images.
    **options
        ``aux_logits`` (bool, default False) and ``dropout`` (float, default
        0.4): see :class:`GoogLeNet`.

    Raises
    ------
    ValueError
        For an unknown option or an out-of-range value.

    Examples
    --------
    >>> net = googlenet(num_classes=1000, in_channels=3)
    >>> sum(p.numel() for p in net.parameters())
    6998552
    >>> googlenet(10, 1, aux=True)
    Traceback (most recent call last):
    ...
    ValueError: googlenet: unknown option(s) ['aux']; known options: ['aux_logits', 'dropout']
    """
    settings = with_defaults("googlenet", options, {"aux_logits": False, "dropout": 0.4})
    if not isinstance(settings["aux_logits"], bool):
        raise ValueError(f"googlenet: aux_logits must be True or False, got {settings['aux_logits']!r}")
    dropout = settings["dropout"]
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
        raise ValueError(f"googlenet: dropout must be in [0, 1), got {dropout!r}")
    return GoogLeNet(num_classes, in_channels, aux_logits=settings["aux_logits"], dropout=dropout)
