"""Load torchvision's weights into this package's readable networks.

Pretrained ImageNet weights cannot be downloaded in this book's offline
build, but a reader who has them (``torchvision.models.resnet18(weights=
"DEFAULT").state_dict()``, or the ``.pth`` file torchvision downloads) can
pour them into the networks of :mod:`cnnguide.models` and then look inside a
real ImageNet network — its filters, its feature maps, its blocks — with code
they have read line by line. The tests check the mapping with randomly
initialised torchvision models: same weights in, same logits out. With the
weights at hand (this needs a download, so it is not run here)::

    import torchvision
    from cnnguide.models.torchvision_weights import from_torchvision

    tv = torchvision.models.resnet50(weights="IMAGENET1K_V2")
    net = from_torchvision("resnet50", tv.state_dict())   # our ResNet, eval mode
    net.layer1[0].shortcut                                # a real projection shortcut

**The rename table.** Our modules keep torchvision's names wherever that
costs nothing, so the mapping from a torchvision key to ours is short and
explicit:

| family   | torchvision key                                  | our key                                          |
|----------|--------------------------------------------------|--------------------------------------------------|
| VGG      | ``features.{i}.*``, one flat list of layers      | ``features.{block}.{2·conv}.*`` (:func:`vgg_renames`) |
| ResNet   | ``layer{s}.{b}.downsample.*``                    | ``layer{s}.{b}.shortcut.*``                      |
| DenseNet | ``…denselayer{n}.norm.1.*`` (old ``.pth`` files) | ``…denselayer{n}.norm1.*``; likewise ``relu``, ``conv`` and ``2`` |

Everything else (``conv1``, ``bn1``, ``fc``, ``classifier.*``,
``features.denseblock1.denselayer1.conv2`` …) is the same on both sides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import torch
from torch import nn

from .registry import create
from .vgg import VGG_CONFIGS

__all__ = ["SUPPORTED", "from_torchvision", "rename_torchvision_keys", "vgg_renames"]

#: Names :func:`from_torchvision` accepts, with the torchvision keys of the
#: first convolution and of the classifier (they tell ``in_channels`` and
#: ``num_classes``).
SUPPORTED: dict[str, tuple[str, str]] = {
    **{name: ("features.0.weight", "classifier.6.weight") for name in VGG_CONFIGS},
    **{name: ("conv1.weight", "fc.weight") for name in ("resnet18", "resnet34", "resnet50")},
    "densenet121": ("features.conv0.weight", "classifier.weight"),
}

# (pattern, replacement) pairs applied with re.sub to every torchvision key.
_RESNET_RENAMES = [(r"\.downsample\.", ".shortcut.")]
_DENSENET_RENAMES = [(r"(denselayer\d+)\.(norm|relu|conv)\.([12])\.", r"\1.\2\3.")]


def vgg_renames(name: str) -> dict[str, str]:
    """Key prefixes of torchvision's flat ``features`` list and of our nested VGG blocks.

    torchvision lists every layer of the convolutional part in one
    ``nn.Sequential`` (conv, ReLU, conv, ReLU, …, max pool, conv, …); we group
    them into :func:`~cnnguide.models.vgg.vgg_block` s, where the ``j``-th
    convolution of a block sits at index ``2·j``. Only convolutions have
    weights, so only they appear in the table.

    Examples
    --------
    >>> vgg_renames("vgg11")  # doctest: +NORMALIZE_WHITESPACE
    {'features.0.': 'features.0.0.', 'features.3.': 'features.1.0.',
     'features.6.': 'features.2.0.', 'features.8.': 'features.2.2.',
     'features.11.': 'features.3.0.', 'features.13.': 'features.3.2.',
     'features.16.': 'features.4.0.', 'features.18.': 'features.4.2.'}
    """
    if name not in VGG_CONFIGS:
        raise ValueError(f"not a VGG name: {name!r}; known: {sorted(VGG_CONFIGS)}")
    table = {}
    flat_index = 0
    for block, (num_convs, _) in enumerate(VGG_CONFIGS[name]):
        for conv in range(num_convs):
            table[f"features.{flat_index}."] = f"features.{block}.{2 * conv}."
            flat_index += 2  # the convolution and its ReLU
        flat_index += 1  # the block's max pool
    return table


def _rename(name: str, key: str) -> str:
    if name in VGG_CONFIGS:
        for old, new in vgg_renames(name).items():
            if key.startswith(old):
                return new + key[len(old):]
        return key
    rules = _DENSENET_RENAMES if name.startswith("densenet") else _RESNET_RENAMES
    for pattern, replacement in rules:
        key = re.sub(pattern, replacement, key)
    return key


def rename_torchvision_keys(name: str, state_dict: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The same tensors under our module names (see the table above).

    Examples
    --------
    >>> keys = {"layer2.0.downsample.0.weight": None, "layer2.0.conv1.weight": None}
    >>> list(rename_torchvision_keys("resnet18", keys))
    ['layer2.0.shortcut.0.weight', 'layer2.0.conv1.weight']
    >>> list(rename_torchvision_keys("densenet121", {"features.denseblock1.denselayer1.norm.1.weight": None}))
    ['features.denseblock1.denselayer1.norm1.weight']
    """
    _check_name(name)
    return {_rename(name, key): value for key, value in state_dict.items()}


def _check_name(name: str) -> None:
    if name not in SUPPORTED:
        raise ValueError(f"from_torchvision supports {sorted(SUPPORTED)}, not {name!r}")


def from_torchvision(name: str, state_dict: Mapping[str, torch.Tensor]) -> nn.Module:
    """Our network ``name`` carrying the weights of a torchvision model of the same name.

    Parameters
    ----------
    name : str
        One of :data:`SUPPORTED`: ``vgg11``, ``vgg13``, ``vgg16``, ``vgg19``,
        ``resnet18``, ``resnet34``, ``resnet50``, ``densenet121``.
    state_dict : mapping of str to Tensor
        ``torchvision.models.<name>(...).state_dict()``, or a ``.pth`` file
        loaded with ``torch.load``. ``num_classes`` is read from the
        classifier's weight and ``in_channels`` from the first convolution's,
        so a torchvision model re-headed for 10 classes loads too.

    Returns
    -------
    nn.Module
        Our model, in evaluation mode (batch norms use the stored running
        statistics), giving the same outputs as the torchvision model.

    Raises
    ------
    ValueError
        For an unsupported name, missing or unexpected keys (all of them
        listed), or tensors whose shapes differ from ours. Batch-norm
        ``num_batches_tracked`` counters may be absent (checkpoints older
        than PyTorch 0.4.1 lack them); they are then set to 0.

    Examples
    --------
    >>> import torchvision
    >>> tv = torchvision.models.resnet18(weights=None, num_classes=10).eval()
    >>> net = from_torchvision("resnet18", tv.state_dict())
    >>> x = torch.randn(1, 3, 64, 64)
    >>> torch.allclose(net(x), tv(x), atol=1e-5)
    True
    >>> from_torchvision("resnet18", {"fc.weight": torch.zeros(10, 512)})
    Traceback (most recent call last):
    ...
    ValueError: resnet18: the state dict lacks conv1.weight, which tells in_channels
    """
    _check_name(name)
    if not isinstance(state_dict, Mapping):
        raise ValueError(f"state_dict must be a mapping of names to tensors (use model.state_dict()), "
                         f"got {type(state_dict).__name__}")
    first_conv, classifier = SUPPORTED[name]
    for key, what in ((first_conv, "in_channels"), (classifier, "num_classes")):
        if key not in state_dict:
            raise ValueError(f"{name}: the state dict lacks {key}, which tells {what}")
    model = create(
        name, num_classes=state_dict[classifier].shape[0], in_channels=state_dict[first_conv].shape[1]
    )
    ours = model.state_dict()
    theirs = rename_torchvision_keys(name, state_dict)
    for key in set(ours) - set(theirs):
        if key.endswith("num_batches_tracked"):
            theirs[key] = torch.zeros_like(ours[key])
    missing = sorted(set(ours) - set(theirs))
    unexpected = sorted(set(theirs) - set(ours))
    if missing or unexpected:
        raise ValueError(
            f"{name}: state dict does not match (keys after renaming); "
            f"missing {len(missing)}: {missing}; unexpected {len(unexpected)}: {unexpected}"
        )
    wrong_shape = [
        f"{key}: {tuple(theirs[key].shape)} vs ours {tuple(ours[key].shape)}"
        for key in sorted(ours)
        if theirs[key].shape != ours[key].shape
    ]
    if wrong_shape:
        raise ValueError(f"{name}: tensor shapes differ: {'; '.join(wrong_shape)}")
    model.load_state_dict(theirs, strict=True)
    return model.eval()
