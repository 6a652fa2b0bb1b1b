"""cnnguide: convolutional networks with PyTorch, from the operators up.

Modules, one concept each:

- :mod:`cnnguide.ops` -- convolution, pooling and their arithmetic, from scratch;
- :mod:`cnnguide.figures` -- the book's pictures, drawn from computed values;
- :mod:`cnnguide.data` -- Fashion-MNIST, offline and verified;
- :mod:`cnnguide.devices` -- where a network computes: the device, batches moved there, autocast;
- :mod:`cnnguide.train` -- the training loop, its history, callbacks and checkpoints;
- :mod:`cnnguide.models` -- LeNet, VGG, ResNet, GoogLeNet and DenseNet;
- :mod:`cnnguide.summary` -- layer tables with shapes, parameters and FLOPs;
- :mod:`cnnguide.tables` -- tables that print as aligned text and display as HTML;
- :mod:`cnnguide.recipes` -- the book's training recipes and the accuracies they aim at;
- :mod:`cnnguide.metrics` -- predictions and the confusion matrix;
- :mod:`cnnguide.recorded` -- recorded GPU runs, read back by the pages;
- :mod:`cnnguide.memory` -- what one training step costs;
- :mod:`cnnguide.gan` -- generative adversarial networks (Topic 2);
- :mod:`cnnguide.cli` -- the ``cnnguide`` command.

``import cnnguide`` imports none of them (not even torch); each is imported
the first time it is used as an attribute, so ``cnnguide.models.create("lenet")``
works after a bare ``import cnnguide``.

Examples
--------
>>> import cnnguide
>>> cnnguide.models.create("lenet").__class__.__name__
'LeNet'
>>> "models" in dir(cnnguide)
True
"""

from importlib import import_module as _import_module

__version__ = "0.1.0"

#: The modules reachable as attributes of the package, imported on first use (PEP 562).
_SUBMODULES = (
    "cli", "data", "devices", "figures", "gan", "memory", "metrics", "models", "ops", "recipes",
    "recorded", "summary", "tables", "train",
)


def __getattr__(name: str):
    if name in _SUBMODULES:
        # import_module also sets the attribute, so this runs once per module.
        return _import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBMODULES})
