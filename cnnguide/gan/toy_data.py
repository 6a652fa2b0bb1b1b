"""Two-dimensional data with known modes: the ring and the grid of Gaussians.

On these data sets mode collapse can be *counted*: every point belongs to one
of a few tight Gaussians whose centres are known, so
:func:`~cnnguide.gan.coverage.mode_coverage` can tell how many of them a
generator reaches. They are the standard toy problems of the mode-collapse
literature (unrolled GANs, VEEGAN, PacGAN).

Sampling never touches torch's global random state: each call draws from its
own :class:`torch.Generator`, seeded by ``seed`` (or from fresh OS entropy
when ``seed`` is None), so a chapter can draw data without disturbing the
seeds of a training run.

>>> ring_of_gaussians(4, seed=0).shape
torch.Size([4, 2])
"""

from __future__ import annotations

import math
import numbers

import torch

from cnnguide.ops._checks import check_int, is_int

__all__ = ["grid_centers", "grid_of_gaussians", "ring_centers", "ring_of_gaussians"]


def _positive(value: object, name: str) -> float:
    """Return ``value`` as a float after checking it is a finite real number > 0 (not a bool).

    >>> _positive(0.5, "std")
    0.5
    >>> _positive(0, "std")
    Traceback (most recent call last):
        ...
    ValueError: std must be a positive finite number, got 0
    """
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value) or value <= 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def _generator(seed: int | None) -> torch.Generator:
    g = torch.Generator()
    if seed is None:
        g.seed()  # fresh entropy for this generator only; the global RNG is left alone
    elif is_int(seed):
        g.manual_seed(int(seed))
    else:
        raise ValueError(f"seed must be an int or None, got {seed!r}")
    return g


def _sample_around(centers: torch.Tensor, n: object, std: object, seed: int | None) -> torch.Tensor:
    """``n`` points: a uniformly chosen centre each, plus isotropic N(0, std²) noise."""
    n = check_int(n, "n", 1)
    std = _positive(std, "std")
    g = _generator(seed)
    which = torch.randint(len(centers), (n,), generator=g)
    noise = torch.randn(n, centers.shape[1], generator=g, dtype=torch.float64)
    return (centers.double()[which] + std * noise).float()


def ring_centers(modes: int = 8, radius: float = 2.0) -> torch.Tensor:
    """The centres of the ring: ``modes`` points evenly spaced on a circle.

    Centre ``k`` sits at angle ``2πk / modes``, ``k = 0, ..., modes - 1``:
    all distinct. (The unrolled-GAN reference notebook takes
    ``linspace(0, 2π, 8)``, whose first and last angles coincide, so its
    "8 modes" are 7 distinct ones, one of them drawn twice as often.)

    Parameters
    ----------
    modes : int
        Number of centres, ``>= 1``.
    radius : float
        Radius of the circle, ``> 0``.

    Returns
    -------
    torch.Tensor
        Shape ``(modes, 2)``, float32, ``x = r cos θ``, ``y = r sin θ``.

    Raises
    ------
    ValueError
        If ``modes`` is not an int ``>= 1`` or ``radius`` not a positive finite number.

    Examples
    --------
    >>> ring_centers(4, radius=1.0).round(decimals=6)
    tensor([[ 1.,  0.],
            [ 0.,  1.],
            [-1.,  0.],
            [-0., -1.]])
    >>> ring_centers().shape
    torch.Size([8, 2])
    """
    modes = check_int(modes, "modes", 1)
    radius = _positive(radius, "radius")
    angles = 2 * math.pi * torch.arange(modes, dtype=torch.float64) / modes
    return (radius * torch.stack([angles.cos(), angles.sin()], dim=1)).float()


def ring_of_gaussians(
    n: int, modes: int = 8, radius: float = 2.0, std: float = 0.02, seed: int | None = None
) -> torch.Tensor:
    """``n`` points from an equal mixture of ``modes`` Gaussians on a ring.

    Each point picks one of :func:`ring_centers` uniformly at random and
    adds independent ``N(0, std²)`` noise to both coordinates. The defaults
    (8 modes, radius 2, standard deviation 0.02) are the 2D Ring of VEEGAN
    (Srivastava et al., 2017, synthetic experiments). PacGAN's code (github.com/fjxmlzn/PacGAN,
    ``synthetic_data_experiments/2DRing_GAN&PacGAN/config.py``) uses the same
    ring scaled by one half: radius 1, standard deviation 0.01.

    Parameters
    ----------
    n : int
        Number of points, ``>= 1``.
    modes : int
        Number of Gaussians, ``>= 1``.
    radius : float
        Radius of the ring, ``> 0``.
    std : float
        Standard deviation of each Gaussian, ``> 0``.
    seed : int or None
        Seed of the local generator; the same seed gives the same points.
        None draws fresh entropy. The global RNG is never used.

    Returns
    -------
    torch.Tensor
        Shape ``(n, 2)``, float32.

    Raises
    ------
    ValueError
        On a bad ``n``, ``modes``, ``radius``, ``std`` or ``seed``.

    Examples
    --------
    >>> x = ring_of_gaussians(1000, seed=0)
    >>> torch.equal(x, ring_of_gaussians(1000, seed=0))
    True
    >>> radii = x.norm(dim=1)
    >>> bool((radii - 2.0).abs().max() < 0.1)
    True
    >>> ring_of_gaussians(10, std=0)
    Traceback (most recent call last):
        ...
    ValueError: std must be a positive finite number, got 0
    """
    return _sample_around(ring_centers(modes, radius), n, std, seed)


def grid_centers(side: int = 5, spacing: float = 2.0) -> torch.Tensor:
    """The centres of the grid: ``side x side`` points ``spacing`` apart, centred on the origin.

    With the defaults these are the 25 points ``(i, j)`` for ``i, j`` in
    ``-4, -2, 0, 2, 4``, listed with ``i`` varying slowest (the order of
    ``itertools.product``, as in PacGAN's code).

    Parameters
    ----------
    side : int
        Points per row and column, ``>= 1``.
    spacing : float
        Distance between neighbouring centres, ``> 0``.

    Returns
    -------
    torch.Tensor
        Shape ``(side**2, 2)``, float32.

    Raises
    ------
    ValueError
        If ``side`` is not an int ``>= 1`` or ``spacing`` not a positive finite number.

    Examples
    --------
    >>> grid_centers(2, spacing=2.0)
    tensor([[-1., -1.],
            [-1.,  1.],
            [ 1., -1.],
            [ 1.,  1.]])
    >>> c = grid_centers()
    >>> c.shape, c.min().item(), c.max().item()
    (torch.Size([25, 2]), -4.0, 4.0)
    """
    side = check_int(side, "side", 1)
    spacing = _positive(spacing, "spacing")
    coords = spacing * (torch.arange(side, dtype=torch.float64) - (side - 1) / 2)
    return torch.cartesian_prod(coords, coords).reshape(-1, 2).float()


def grid_of_gaussians(
    n: int, side: int = 5, spacing: float = 2.0, std: float = 0.05, seed: int | None = None
) -> torch.Tensor:
    """``n`` points from an equal mixture of Gaussians on a ``side x side`` grid.

    Each point picks one of :func:`grid_centers` uniformly at random and adds
    ``N(0, std²)`` noise to both coordinates. The defaults are PacGAN's 2D
    Grid (github.com/fjxmlzn/PacGAN, ``synthetic_data_experiments/2DGrid_GAN&PacGAN/config.py``:
    means ``product(range(-4, 5, 2), range(-4, 5, 2))``, variances
    ``0.05**2 * eye(2)``): the 2D Grid of VEEGAN and PacGAN.

    Parameters
    ----------
    n : int
        Number of points, ``>= 1``.
    side : int
        Gaussians per row and column, ``>= 1``.
    spacing : float
        Distance between neighbouring centres, ``> 0``.
    std : float
        Standard deviation of each Gaussian, ``> 0``.
    seed : int or None
        Seed of the local generator (see :func:`ring_of_gaussians`).

    Returns
    -------
    torch.Tensor
        Shape ``(n, 2)``, float32.

    Raises
    ------
    ValueError
        On a bad ``n``, ``side``, ``spacing``, ``std`` or ``seed``.

    Examples
    --------
    Every point lies within a few standard deviations of a grid point:

    >>> x = grid_of_gaussians(2000, seed=1)
    >>> offset = x - 2 * (x / 2).round()
    >>> bool(offset.abs().max() < 0.3)
    True
    >>> grid_of_gaussians(0)
    Traceback (most recent call last):
        ...
    ValueError: n must be an integer >= 1, got 0
    """
    return _sample_around(grid_centers(side, spacing), n, std, seed)
