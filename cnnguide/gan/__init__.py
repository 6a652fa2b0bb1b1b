"""Generative adversarial networks, from the 2-D game to DCGAN, measured offline.

One concept per module:

- :mod:`~cnnguide.gan.toy_data` -- the ring and the grid of Gaussians (2-D data with known modes);
- :mod:`~cnnguide.gan.coverage` -- modes covered, high-quality samples and reverse KL on 2-D data;
- :mod:`~cnnguide.gan.nets` -- MLP and DCGAN generators and discriminators;
- :mod:`~cnnguide.gan.training` -- :func:`fit_gan`, the alternating updates;
- :mod:`~cnnguide.gan.judge` -- a Fashion-MNIST classifier that scores generated images.

This package may use :mod:`cnnguide.train`'s checkpoint and history machinery;
:mod:`cnnguide.train` never imports it.
"""

from .coverage import ModeCoverage, mode_coverage
from .toy_data import grid_centers, grid_of_gaussians, ring_centers, ring_of_gaussians

__all__ = [
    # toy_data, coverage
    "grid_centers", "grid_of_gaussians", "ring_centers", "ring_of_gaussians", "ModeCoverage", "mode_coverage",
]  # fmt: skip
