"""The networks of the series, built from small readable blocks.

One family per module (:mod:`~cnnguide.models.lenet`, ``vgg``, ``resnet``,
``googlenet``, ``densenet``); each registers its builders here under a name, so
that the chapters, the command line and the scripts all say::

    net = cnnguide.models.create("resnet18", num_classes=10, in_channels=1)

:func:`from_torchvision` (from :mod:`~cnnguide.models.torchvision_weights`)
builds one of them with torchvision's trained weights.
"""

from __future__ import annotations

from .registry import create, names, register, with_defaults

# Importing the families registers their builders (each imports `register` from .registry).
from . import densenet, googlenet, lenet, resnet, vgg  # noqa: E402,F401
# It does not import torchvision (it renames a state dict's keys), so it costs a millisecond.
from .torchvision_weights import from_torchvision  # noqa: E402

__all__ = ["create", "from_torchvision", "names", "register", "with_defaults"]
