"""Class-conditional DCGAN: a generator told which class to draw, a projection discriminator.

A conditional GAN (Mirza and Osindero, 2014) gives both players the label
``y``: the generator draws ``G(z, y)``, the discriminator judges the pair
``D(x, y)``, and the game is the unconditional one played class by class.

**The generator** appends the label to the noise and runs the unconditional
:class:`~cnnguide.gan.nets.DCGANGenerator` on the longer vector::

    [z (latent_dim), e(y) (embed_dim)] -> DCGAN generator trunk -> 28x28 (tanh)

Mirza and Osindero concatenate the *one-hot* label. ``e(y)`` here is a row of
an ``nn.Embedding``, and a row lookup is a bias-free linear map of the one-hot
vector: ``e(y) = E^T onehot(y)``. The trunk's first layer is linear as well (a
transposed convolution of a 1×1 input), so it sees ``A_z z + A_e E^T onehot(y)``:
with ``embed_dim >= num_classes`` (the default is ``num_classes``) exactly the
functions of the one-hot version, written with the product ``A_e E^T`` in two
factors. What the embedding changes is the parametrisation -- its rows start
at N(0, 1), the scale of the noise -- and that ``embed_dim`` need not grow with
the number of classes.

**The discriminator** is the projection discriminator of Miyato and Koyama
(2018)::

    D(x, y) = psi(phi(x)) + <V[y], phi(x)>

``phi`` is the unconditional DCGAN discriminator's trunk, ``psi`` its last
layer, and ``V`` one learnt vector per class. It follows from writing the
optimal discriminator's logit ``log p(x, y) / q(x, y)`` with a softmax model of
``p(y | x)`` and ``q(y | x)``: the class enters as an inner product with the
features, not as an input. Miyato and Koyama found it better (Inception
Score, intra-class FID on ImageNet and CIFAR-10) than the older ways of
conditioning -- concatenating the label to the input or to a hidden layer --
and it keeps the unconditional network intact: with ``V = 0`` it *is*
:class:`~cnnguide.gan.nets.DCGANDiscriminator`. Their networks add spectral
normalisation; ours keep DCGAN's batch norm so that the two chapters'
discriminators differ only by the projection.

Both networks have ``num_classes`` and are called with an ``int64`` label per
example: ``generator(z, labels)``, ``discriminator(x, labels)``, which is what
:func:`~cnnguide.gan.fit_gan` looks for.
"""

from __future__ import annotations

import torch
from torch import nn

from .nets import DCGANDiscriminator, DCGANGenerator, _as_noise_batch, _positive

__all__ = [
    "ConditionalDCGANGenerator", "FixedLabel", "ProjectionDiscriminator", "ZeroInitEmbedding", "check_labels",
    "conditional_dcgan_generator", "projection_discriminator",
]  # fmt: skip


def check_labels(labels, n: int, num_classes: int) -> torch.Tensor:
    """Refuse anything but ``n`` integer class labels in ``[0, num_classes)``; return them unchanged.

    The values are checked on the CPU only: on an accelerator reading them
    would cost a host synchronisation per forward pass (``fit_gan`` avoids
    every one), and there the embedding's own device-side check catches an
    index out of range. Meta tensors have no values to check.

    Examples
    --------
    >>> check_labels(torch.tensor([0, 9]), 2, 10)
    tensor([0, 9])
    >>> check_labels(torch.tensor([0, 10]), 2, 10)
    Traceback (most recent call last):
    ...
    ValueError: labels must lie in [0, 10) (num_classes=10), got values from 0 to 10
    >>> check_labels(torch.tensor([0.0, 1.0]), 2, 10)
    Traceback (most recent call last):
    ...
    ValueError: labels must be integers (int64), got torch.float32
    >>> check_labels(torch.tensor([[0, 1]]), 2, 10)
    Traceback (most recent call last):
    ...
    ValueError: expected labels of shape (2,), got (1, 2)
    """
    if not isinstance(labels, torch.Tensor):
        raise ValueError(f"labels must be a torch.Tensor, got {type(labels).__name__}")
    if labels.dtype == torch.bool or labels.is_floating_point() or labels.is_complex():
        raise ValueError(f"labels must be integers (int64), got {labels.dtype}")
    if tuple(labels.shape) != (n,):
        raise ValueError(f"expected labels of shape ({n},), got {tuple(labels.shape)}")
    if labels.device.type == "cpu" and n:
        lo, hi = int(labels.min()), int(labels.max())
        if lo < 0 or hi >= num_classes:
            raise ValueError(f"labels must lie in [0, {num_classes}) (num_classes={num_classes}), "
                             f"got values from {lo} to {hi}")
    return labels


class ZeroInitEmbedding(nn.Embedding):
    """An ``nn.Embedding`` whose rows start (and restart, by ``reset_parameters``) at zero.

    The projection discriminator's class vectors: an initialiser that resets
    every module (:func:`~cnnguide.gan.nets.default_init_`) brings them back to
    zero, not to ``nn.Embedding``'s N(0, 1), which would swamp the logit.

    Examples
    --------
    >>> e = ZeroInitEmbedding(3, 2)
    >>> e.reset_parameters(); e.weight.abs().max().item()
    0.0
    """

    def reset_parameters(self) -> None:
        nn.init.zeros_(self.weight)


class ConditionalDCGANGenerator(nn.Module):
    """The DCGAN generator on ``[z, e(y)]``: ``out_channels``×28×28 images in [-1, 1] of class ``y``.

    Attributes
    ----------
    embed : nn.Embedding
        ``num_classes`` rows of ``embed_dim`` values, drawn from N(0, 1) when
        built, and again by :func:`~cnnguide.gan.nets.dcgan_init_` and
        :func:`~cnnguide.gan.nets.default_init_` (so from ``fit_gan``'s seed).
    trunk : DCGANGenerator
        The unconditional generator, taking ``latent_dim + embed_dim`` values.
    latent_dim, num_classes, embed_dim : int

    Examples
    --------
    >>> g = ConditionalDCGANGenerator(latent_dim=10, width=8)
    >>> x = g(torch.randn(3, 10), torch.tensor([0, 5, 9]))
    >>> x.shape, bool(x.abs().max() <= 1), g.trunk.latent_dim
    (torch.Size([3, 1, 28, 28]), True, 20)
    >>> g(torch.randn(3, 10), torch.tensor([0, 5, -1]))
    Traceback (most recent call last):
    ...
    ValueError: labels must lie in [0, 10) (num_classes=10), got values from -1 to 5
    """

    def __init__(self, latent_dim: int = 100, width: int = 64, num_classes: int = 10, out_channels: int = 1,
                 embed_dim: int | None = None):
        super().__init__()
        self.latent_dim = _positive("latent_dim", latent_dim)
        self.num_classes = _positive("num_classes", num_classes)
        self.embed_dim = _positive("embed_dim", num_classes if embed_dim is None else embed_dim)
        self.embed = nn.Embedding(self.num_classes, self.embed_dim)
        self.trunk = DCGANGenerator(latent_dim + self.embed_dim, width, out_channels)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        z = _as_noise_batch(z, self.latent_dim)
        labels = check_labels(labels, len(z), self.num_classes)
        return self.trunk(torch.cat([z, self.embed(labels).to(z.dtype)], dim=1))


class ProjectionDiscriminator(nn.Module):
    """DCGAN discriminator with a projection term: ``psi(phi(x)) + <V[y], phi(x)>``, shape ``(N,)``.

    ``phi(x)`` is the trunk's 7×7×(2·width) feature map, **flattened, not
    pooled**. The projection term must read the same ``phi`` as ``psi``, and
    DCGAN's ``psi`` is a 7×7 convolution of the whole map (a linear layer on
    the flattened map), not a linear layer on pooled features as in Miyato and
    Koyama's ResNets. So ``V[y]`` is a second 7×7 filter per class and the
    logit is the DCGAN discriminator whose last filter is ``w + V[y]``: with
    ``V = 0`` the network is exactly the unconditional one. Flattening also
    keeps *where* things are, which tells Fashion-MNIST's centred classes
    apart (a sleeve, a heel); the price is ``num_classes · 49 · 2·width``
    parameters (62,720 at width 64, against 138,689 in the trunk).

    ``V`` starts at zero: the network starts as the unconditional
    discriminator, whatever the random state it was built in, and the
    gradient with respect to ``V[y]`` is ``phi(x)`` summed over the batch's
    examples of class ``y`` -- never zero, so it learns at once (Miyato and
    Koyama's code draws ``V`` from a Glorot distribution instead).

    Attributes
    ----------
    trunk : DCGANDiscriminator
        ``trunk.features`` is ``phi``, ``trunk.logit`` is ``psi``.
    embed : ZeroInitEmbedding
        ``V``: ``num_classes`` rows of ``49 · 2·width`` values.
    num_classes, in_channels : int

    Examples
    --------
    >>> d = ProjectionDiscriminator(width=8)
    >>> x, y = torch.zeros(3, 1, 28, 28), torch.tensor([1, 2, 3])
    >>> d(x, y).shape, d.embed.weight.shape
    (torch.Size([3]), torch.Size([10, 784]))
    >>> torch.equal(d(x, y), d.trunk(x))  # V = 0: the unconditional discriminator
    True
    """

    def __init__(self, width: int = 64, num_classes: int = 10, in_channels: int = 1):
        super().__init__()
        self.num_classes = _positive("num_classes", num_classes)
        self.trunk = DCGANDiscriminator(width, in_channels)
        self.in_channels = self.trunk.in_channels
        self.embed = ZeroInitEmbedding(self.num_classes, self.trunk.logit.in_channels * 7 * 7)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """``phi(x)``: the trunk's feature map, ``(N, 2·width, 7, 7)``."""
        if x.dim() != 4 or tuple(x.shape[1:]) != (self.in_channels, 28, 28):
            raise ValueError(f"expected images of shape (N, {self.in_channels}, 28, 28), got {tuple(x.shape)}")
        return self.trunk.features(x)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        phi = self.features(x)
        labels = check_labels(labels, len(x), self.num_classes)
        projection = (self.embed(labels).to(phi.dtype) * phi.flatten(1)).sum(dim=1)
        return self.trunk.logit(phi).flatten() + projection


class FixedLabel(nn.Module):
    """A conditional network called with one input, its label fixed: ``FixedLabel(g)(z) == g(z, 0...)``.

    For what feeds a network one tensor, such as
    :func:`cnnguide.summary.summarize`. It holds the network's own submodules
    under their own names (``trunk``, ``embed``), so a layer table reads as
    the network's, and it adds no parameter.

    Examples
    --------
    >>> from cnnguide.summary import summarize
    >>> g = ConditionalDCGANGenerator(width=8)
    >>> table = summarize(FixedLabel(g, label=3), (1, 100))
    >>> table.rows[0].name, table.total_parameters == sum(p.numel() for p in g.parameters())
    ('embed', True)
    """

    def __init__(self, net: nn.Module, label: int = 0):
        super().__init__()
        if not isinstance(getattr(net, "num_classes", None), int):
            raise ValueError(f"FixedLabel takes a conditional network (with num_classes), not {type(net).__name__}")
        if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label < net.num_classes:
            raise ValueError(f"label must be an integer in [0, {net.num_classes}), got {label!r}")
        for name, child in net.named_children():
            self.add_module(name, child)
        object.__setattr__(self, "net", net)  # not registered: its parameters are the children's above
        self.label = label

    def forward(self, first: torch.Tensor) -> torch.Tensor:
        return self.net(first, torch.full((len(first),), self.label, dtype=torch.long, device=first.device))


def conditional_dcgan_generator(latent_dim: int = 100, width: int = 64, num_classes: int = 10,
                                out_channels: int = 1, embed_dim: int | None = None) -> ConditionalDCGANGenerator:
    """DCGAN's generator on the noise and a label embedding (``embed_dim`` = ``num_classes`` by default)."""
    return ConditionalDCGANGenerator(latent_dim, width, num_classes, out_channels, embed_dim)


def projection_discriminator(width: int = 64, num_classes: int = 10, in_channels: int = 1) -> ProjectionDiscriminator:
    """DCGAN's discriminator plus Miyato and Koyama's projection of a class vector on its 7×7 features."""
    return ProjectionDiscriminator(width, num_classes, in_channels)
