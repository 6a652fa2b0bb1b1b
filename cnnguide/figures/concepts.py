"""The concept figures' former module, split by subject; its names still import from here.

- :mod:`~cnnguide.figures.parameters` -- :func:`parameter_growth`, :func:`parameter_count_bars`;
- :mod:`~cnnguide.figures.activations` -- :func:`activation_curves`;
- :mod:`~cnnguide.figures.receptive_fields` -- :func:`receptive_field_growth`, :func:`receptive_field_vs_depth`;
- :mod:`~cnnguide.figures.feature_maps` -- :func:`feature_map_grid`, :func:`kernel_grid`.
"""

from .activations import activation_curves
from .feature_maps import feature_map_grid, kernel_grid
from .parameters import parameter_count_bars, parameter_growth
from .receptive_fields import receptive_field_growth, receptive_field_vs_depth

__all__ = [
    "activation_curves",
    "feature_map_grid",
    "kernel_grid",
    "parameter_count_bars",
    "parameter_growth",
    "receptive_field_growth",
    "receptive_field_vs_depth",
]
