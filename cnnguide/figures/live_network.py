"""The live network: a trained LeNet embedded in the page and run by the page's JavaScript.

:func:`live_lenet` exports the network (:func:`~cnnguide.figures.network_export.lenet_export`)
and a few test images into the page; ``docs/javascripts/cnnguide/live-network.js``
lets the reader draw on a 28 × 28 canvas or pick a test image, and shows every
layer's output and the class probabilities, computed in the browser. The
static figure inside (the samples and their predictions) is what a reader
without JavaScript sees.
"""

from __future__ import annotations

import base64
import json

import torch

from .network_export import lenet_export

__all__ = ["LiveNetwork", "live_lenet"]

#: At most this many sample images go into a live network's page (each ~1 KB as uint8).
MAX_SAMPLES = 16


def _images(images) -> torch.Tensor:
    x = torch.as_tensor(images).detach().to("cpu", torch.float32)
    if x.dim() == 3:
        x = x[:, None]
    if x.dim() != 4 or not 1 <= x.shape[0] <= MAX_SAMPLES:
        raise ValueError(f"images must be (N, C, H, W) or (N, H, W) with 1 <= N <= {MAX_SAMPLES}, "
                         f"got shape {tuple(x.shape)}")
    if not torch.isfinite(x).all() or x.min() < 0 or x.max() > 1:
        raise ValueError("images must hold values in [0, 1], as load_fashion_mnist gives them")
    return x


def _encode_images(x: torch.Tensor) -> dict:
    """Sample images as uint8 when that loses nothing (Fashion-MNIST's are k/255), else float32."""
    as_bytes = torch.round(x * 255)
    if torch.equal((as_bytes / 255).to(torch.float32), x):
        data, dtype = as_bytes.to(torch.uint8).numpy().tobytes(), "uint8"
    else:
        data, dtype = x.numpy().astype("<f4").tobytes(), "float32"
    return {"dtype": dtype, "shape": list(x.shape), "data": base64.b64encode(data).decode("ascii")}


class LiveNetwork:
    """A trained network embedded in the page, run by the page's JavaScript on what the reader draws.

    Made by :func:`live_lenet`. Its ``_repr_html_`` holds the manifest, the
    float32 weights (base64) and the sample images with the logits torch
    computed for them at build time, in a ``<script type="application/json">``,
    and the static figure (the samples with their predictions) as fallback.

    Attributes
    ----------
    manifest : dict
        From :func:`lenet_export`.
    data : bytes
        The float32 weights.
    samples : dict
        ``dtype``, ``shape``, ``data`` (base64), ``labels`` and ``logits`` (torch's, one list per image).
    fallback : BookFigure
    """

    def __init__(self, manifest: dict, data: bytes, samples: dict, fallback):
        self.manifest, self.data, self.samples, self.fallback = manifest, data, samples, fallback

    def payload(self) -> dict:
        """What the page reads: manifest, weights (base64) and samples."""
        return {"manifest": self.manifest, "weights": base64.b64encode(self.data).decode("ascii"),
                "samples": self.samples}

    def _repr_html_(self) -> str:
        # "</" cannot end the script early once escaped; JSON reads "<\/" as "</".
        text = json.dumps(self.payload(), separators=(",", ":")).replace("</", "<\\/")
        return ('<div class="cnnguide-network" data-cnnguide="network" data-search-exclude>\n'
                f'<script type="application/json" class="cnnguide-network-data">{text}</script>\n'
                f'<figure class="cnnguide-fallback">{self.fallback._repr_html_()}'
                "<figcaption>Test images and the trained network's predictions; with JavaScript, you can "
                "draw an image here and watch every layer respond.</figcaption></figure>\n</div>")

    def __repr__(self) -> str:
        return (f"LiveNetwork({len(self.manifest['layers'])} layers, {self.manifest['parameter_count']:,} "
                f"values, {self.samples['shape'][0]} samples)")


def live_lenet(net, images, labels=None) -> LiveNetwork:
    """A live LeNet in the page: the reader draws on a 28 × 28 canvas or picks a test image.

    The page runs the exported network (:func:`lenet_export`) itself and shows
    every layer's output and the ten class probabilities.

    Parameters
    ----------
    net : LeNet or nn.Sequential
        The trained network; it is run in evaluation mode (its mode is restored after).
    images : tensor
        Up to 16 sample images, ``(N, 1, 28, 28)`` in [0, 1], that the reader can pick.
    labels : sequence of int, optional
        Their true classes.

    Returns
    -------
    LiveNetwork

    Examples
    --------
    >>> from cnnguide import models
    >>> live = live_lenet(models.create("lenet"), torch.zeros(2, 1, 28, 28), [0, 7])
    >>> live
    LiveNetwork(12 layers, 61,706 values, 2 samples)
    >>> live.samples["dtype"], live.samples["labels"], len(live.samples["logits"][0])
    ('uint8', [0, 7], 10)
    """
    from .images import image_grid
    from .training import prediction_grid

    from cnnguide.models.lenet import LeNet

    x = _images(images)
    manifest, data = lenet_export(net, input_shape=None if isinstance(net, LeNet) else tuple(x.shape[1:]))
    if list(x.shape[1:]) != manifest["input_shape"]:
        raise ValueError(f"images have shape {tuple(x.shape[1:])}, the network takes {tuple(manifest['input_shape'])}")
    training = net.training
    net.eval()
    try:
        with torch.no_grad():
            logits = net(x)
    finally:
        net.train(training)
    predicted = logits.argmax(dim=1).tolist()
    samples = _encode_images(x)
    samples["logits"] = logits.tolist()
    if labels is not None:
        labels = [int(v) for v in (labels.tolist() if hasattr(labels, "tolist") else labels)]
        if len(labels) != len(x):
            raise ValueError(f"got {len(labels)} labels for {len(x)} images")
        samples["labels"] = labels
        fallback = prediction_grid(x, labels, predicted, names=manifest["classes"])
    else:
        samples["labels"] = None
        fallback = image_grid(x, predicted, names=manifest["classes"], title="The network's predictions")
    return LiveNetwork(manifest, data, samples, fallback)
