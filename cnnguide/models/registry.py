"""The model registry: builders recorded under a name, looked up by :func:`create`.

Each family module (:mod:`~cnnguide.models.lenet`, ``vgg``, ``resnet``,
``googlenet``, ``densenet``) decorates its builders with :func:`register`;
:mod:`cnnguide.models` imports the families, so that by the time anyone asks
:func:`names` or :func:`create`, every builder is here.
"""

from __future__ import annotations

from typing import Callable

from torch import nn

__all__ = ["create", "names", "register", "with_defaults"]

_BUILDERS: dict[str, Callable[..., nn.Module]] = {}


def register(name: str):
    """Decorator that records a builder ``f(num_classes, in_channels, **options)`` under ``name``."""

    def decorator(builder):
        if name in _BUILDERS:
            raise ValueError(f"model name {name!r} is registered twice")
        _BUILDERS[name] = builder
        return builder

    return decorator


def with_defaults(name: str, options: dict, defaults: dict) -> dict:
    """A builder's ``defaults`` updated by the caller's ``options``.

    Every family validates its options the same way: a misspelt option must
    fail loudly rather than be ignored.

    Raises
    ------
    ValueError
        For an option not in ``defaults``; the message names it and the known ones.

    Examples
    --------
    >>> with_defaults("vgg11", {"dropout": 0.2}, {"dropout": 0.5, "width_multiplier": 1.0})
    {'dropout': 0.2, 'width_multiplier': 1.0}
    >>> with_defaults("vgg11", {"width": 2}, {"dropout": 0.5})
    Traceback (most recent call last):
    ...
    ValueError: vgg11: unknown option(s) ['width']; known options: ['dropout']
    """
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise ValueError(f"{name}: unknown option(s) {unknown}; known options: {sorted(defaults)}")
    return {**defaults, **options}


def names() -> list[str]:
    """The registered model names, sorted.

    Examples
    --------
    >>> import cnnguide.models  # imports the families, which register their builders
    >>> "lenet" in names()
    True
    """
    return sorted(_BUILDERS)


def create(name: str, num_classes: int = 10, in_channels: int = 1, **options) -> nn.Module:
    """Build the network registered as ``name``.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    num_classes : int
        Size of the output layer (10 for Fashion-MNIST, 1000 for ImageNet).
    in_channels : int
        Channels of the input images (1 for Fashion-MNIST, 3 for colour).
    **options
        Family-specific options, documented on each builder.

    Raises
    ------
    ValueError
        If ``name`` is unknown (the message lists the known names), or if
        ``num_classes`` or ``in_channels`` is not a positive integer.

    Examples
    --------
    >>> import cnnguide.models
    >>> create("lenet").__class__.__name__
    'LeNet'
    >>> create("alexnet")
    Traceback (most recent call last):
    ...
    ValueError: unknown model 'alexnet'; known models: ...
    """
    if name not in _BUILDERS:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(names())}")
    for label, value in (("num_classes", num_classes), ("in_channels", in_channels)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{label} must be a positive integer, got {value!r}")
    return _BUILDERS[name](num_classes=num_classes, in_channels=in_channels, **options)
