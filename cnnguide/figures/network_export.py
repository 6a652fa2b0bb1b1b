"""A trained network's weights as float32 bytes and a JSON manifest, for the page's JavaScript.

:func:`lenet_export` writes LeNet (either variant), or any ``nn.Sequential``
chain of the layers the page's ``network.js`` runs, as

- a manifest: a JSON-ready dict listing the layers in order with their
  settings (kernel size, padding, stride, dilation, ``eps``...) and where each
  parameter lies in the data;
- the data: every parameter and batch-norm statistic, float32, little-endian,
  one after the other.

:func:`load_export` reads them back into an ``nn.Sequential``, so a test (or
a reader) can check that nothing was lost. Batch normalization is exported
with its running statistics: the page computes what the network computes in
evaluation mode.

>>> from cnnguide import models
>>> manifest, data = lenet_export(models.create("lenet"))
>>> manifest["parameter_count"], len(data)
(61706, 246824)
>>> [layer["type"] for layer in manifest["layers"]][:3]
['Conv2d', 'Sigmoid', 'AvgPool2d']
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

__all__ = ["lenet_export", "load_export", "SUPPORTED_LAYERS"]

#: The layer types the page's forward pass implements.
SUPPORTED_LAYERS = ("Conv2d", "Linear", "BatchNorm2d", "BatchNorm1d", "MaxPool2d", "AvgPool2d", "Flatten",
                    "ReLU", "Sigmoid", "Tanh")
FORMAT, VERSION = "cnnguide-network", 1


def _pair(value) -> list[int]:
    return [int(v) for v in value] if isinstance(value, (tuple, list)) else [int(value), int(value)]


def _chain(module: nn.Module, prefix: str) -> list[tuple[str, nn.Module]]:
    """The leaf layers of ``module`` in the order its forward pass runs them."""
    from cnnguide.models.lenet import LeNet

    if isinstance(module, LeNet):  # forward is classifier(features(x))
        return _chain(module.features, f"{prefix}features.") + _chain(module.classifier, f"{prefix}classifier.")
    if isinstance(module, nn.Sequential):
        layers = []
        for name, child in module.named_children():
            layers += _chain(child, f"{prefix}{name}.")
        return layers
    return [(prefix.rstrip("."), module)]


def _settings(name: str, m: nn.Module) -> dict:
    """The manifest entry of one layer, without its parameters; refuses what the page cannot run."""
    kind = type(m).__name__
    if kind not in SUPPORTED_LAYERS:
        raise ValueError(f"layer {name} is a {kind}; the page runs only {', '.join(SUPPORTED_LAYERS)}")
    entry = {"name": name, "type": kind}
    if kind == "Conv2d":
        if m.groups != 1 or m.padding_mode != "zeros" or isinstance(m.padding, str):
            raise ValueError(f"layer {name}: the page runs Conv2d with groups=1, zero padding given as "
                             f"numbers; got groups={m.groups}, padding={m.padding!r}, padding_mode={m.padding_mode!r}")
        entry.update(in_channels=m.in_channels, out_channels=m.out_channels, kernel_size=_pair(m.kernel_size),
                     stride=_pair(m.stride), padding=_pair(m.padding), dilation=_pair(m.dilation))
    elif kind == "Linear":
        entry.update(in_features=m.in_features, out_features=m.out_features)
    elif kind.startswith("BatchNorm"):
        if not m.track_running_stats or m.running_mean is None:
            raise ValueError(f"layer {name}: batch norm without running statistics has no evaluation-mode map")
        entry.update(num_features=m.num_features, eps=float(m.eps))
    elif kind in ("MaxPool2d", "AvgPool2d"):
        if m.ceil_mode:
            raise ValueError(f"layer {name}: ceil_mode=True is not supported (the page floors, as by default)")
        if kind == "AvgPool2d" and (not m.count_include_pad or m.divisor_override is not None):
            raise ValueError(f"layer {name}: AvgPool2d must count the padding (count_include_pad=True, "
                             f"no divisor_override)")
        if kind == "MaxPool2d" and m.return_indices:
            raise ValueError(f"layer {name}: MaxPool2d with return_indices=True returns a pair")
        stride = m.stride if m.stride is not None else m.kernel_size
        entry.update(kernel_size=_pair(m.kernel_size), stride=_pair(stride), padding=_pair(m.padding),
                     dilation=_pair(getattr(m, "dilation", 1)))
    elif kind == "Flatten":
        if m.start_dim != 1 or m.end_dim != -1:
            raise ValueError(f"layer {name}: only Flatten(start_dim=1, end_dim=-1) is supported")
    return entry


def _tensors(m: nn.Module) -> dict[str, torch.Tensor]:
    names = ("weight", "bias", "running_mean", "running_var")
    return {k: getattr(m, k) for k in names if isinstance(getattr(m, k, None), torch.Tensor)}


def lenet_export(net: nn.Module, input_shape=None, classes=None) -> tuple[dict, bytes]:
    """A network's layers and weights, for the live network in the page.

    Parameters
    ----------
    net : LeNet or nn.Sequential
        LeNet (classic or modern), or a chain of the :data:`SUPPORTED_LAYERS`.
    input_shape : (int, int, int), optional
        ``(C, H, W)`` of one input; LeNet's is ``(in_channels, 28, 28)``.
    classes : sequence of str, optional
        The class names, stored in the manifest (Fashion-MNIST's for LeNet with 10 classes).

    Returns
    -------
    manifest : dict
        ``format``, ``version``, ``input_shape``, ``dtype`` (``"float32"``),
        ``byte_order`` (``"little"``), ``parameter_count``, ``classes`` and
        ``layers``: for each layer its ``name``, ``type``, settings and
        ``params``, a dict of ``{"offset": float index, "shape": [...]}``.
    data : bytes
        ``4 * parameter_count`` bytes.

    Raises
    ------
    ValueError
        For a layer the page cannot run (the message names it), or a missing ``input_shape``.

    Examples
    --------
    >>> from cnnguide import models
    >>> manifest, data = lenet_export(models.create("lenet", variant="modern"))
    >>> bn = manifest["layers"][1]
    >>> bn["type"], sorted(bn["params"]), bn["params"]["weight"]
    ('BatchNorm2d', ['bias', 'running_mean', 'running_var', 'weight'], {'offset': 150, 'shape': [6]})
    >>> lenet_export(nn.Sequential(nn.Conv2d(1, 2, 3), nn.GELU()), input_shape=(1, 8, 8))
    Traceback (most recent call last):
    ...
    ValueError: layer 1 is a GELU; the page runs only Conv2d, Linear, BatchNorm2d, BatchNorm1d, MaxPool2d, AvgPool2d, Flatten, ReLU, Sigmoid, Tanh
    """
    from cnnguide.data import CLASS_NAMES
    from cnnguide.models.lenet import INPUT_SIZE, LeNet

    if not isinstance(net, (LeNet, nn.Sequential)):
        raise ValueError(f"lenet_export needs a LeNet or an nn.Sequential, got {type(net).__name__}")
    if input_shape is None:
        if not isinstance(net, LeNet):
            raise ValueError("input_shape (C, H, W) is needed for a network other than LeNet")
        input_shape = (net.in_channels, INPUT_SIZE, INPUT_SIZE)
    if isinstance(net, LeNet) and classes is None and net.num_classes == len(CLASS_NAMES):
        classes = CLASS_NAMES
    layers, chunks, offset = [], [], 0
    for name, module in _chain(net, ""):
        entry = _settings(name, module)
        params = {}
        for key, tensor in _tensors(module).items():
            values = tensor.detach().to("cpu", torch.float32).contiguous()
            params[key] = {"offset": offset, "shape": list(values.shape)}
            chunks.append(values.numpy().astype("<f4").tobytes())
            offset += values.numel()
        if params:
            entry["params"] = params
        layers.append(entry)
    manifest = {
        "format": FORMAT, "version": VERSION, "input_shape": [int(v) for v in input_shape],
        "dtype": "float32", "byte_order": "little", "parameter_count": offset,
        "classes": list(classes) if classes is not None else None, "layers": layers,
    }
    if isinstance(net, LeNet):
        manifest["variant"] = net.variant
    return manifest, b"".join(chunks)


_BUILD = {
    "Conv2d": lambda e: nn.Conv2d(e["in_channels"], e["out_channels"], e["kernel_size"], e["stride"],
                                  e["padding"], e["dilation"], bias="bias" in e.get("params", {})),
    "Linear": lambda e: nn.Linear(e["in_features"], e["out_features"], bias="bias" in e.get("params", {})),
    "BatchNorm2d": lambda e: nn.BatchNorm2d(e["num_features"], eps=e["eps"], affine="weight" in e["params"]),
    "BatchNorm1d": lambda e: nn.BatchNorm1d(e["num_features"], eps=e["eps"], affine="weight" in e["params"]),
    "MaxPool2d": lambda e: nn.MaxPool2d(e["kernel_size"], e["stride"], e["padding"], e["dilation"]),
    "AvgPool2d": lambda e: nn.AvgPool2d(e["kernel_size"], e["stride"], e["padding"]),
    "Flatten": lambda e: nn.Flatten(),
    "ReLU": lambda e: nn.ReLU(), "Sigmoid": lambda e: nn.Sigmoid(), "Tanh": lambda e: nn.Tanh(),
}


def load_export(manifest: dict, data: bytes) -> nn.Sequential:
    """The network of a :func:`lenet_export`, rebuilt as an ``nn.Sequential`` in evaluation mode.

    Examples
    --------
    >>> from cnnguide import models
    >>> net = models.create("lenet", variant="modern").eval()
    >>> copy = load_export(*lenet_export(net))
    >>> x = torch.rand(2, 1, 28, 28)
    >>> torch.equal(copy(x), net(x))
    True
    """
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise ValueError(f"not a {FORMAT} manifest of version {VERSION}")
    values = np.frombuffer(data, dtype="<f4")
    if values.size != manifest["parameter_count"]:
        raise ValueError(f"the manifest lists {manifest['parameter_count']} float32 values, "
                         f"the data holds {values.size}")
    layers = []
    for entry in manifest["layers"]:
        layer = _BUILD[entry["type"]](entry)
        for key, where in entry.get("params", {}).items():
            count = int(np.prod(where["shape"]))
            chunk = values[where["offset"] : where["offset"] + count].reshape(where["shape"])
            getattr(layer, key).data = torch.from_numpy(chunk.astype(np.float32))
        layers.append(layer)
    return nn.Sequential(*layers).eval()
