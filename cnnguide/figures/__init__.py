"""The book's pictures, drawn from computed values.

Every function returns a :class:`~cnnguide.figures.BookFigure` (a matplotlib
figure with alt text) and draws only numbers it computed with :mod:`cnnguide.ops`
or read from a model; nothing on a figure is typed in by hand.

- :mod:`~cnnguide.figures.convolution` -- windows, padding, stride, channels, 1x1, pooling, the animation;
- :mod:`~cnnguide.figures.concepts` -- activations, receptive fields, parameter counts, feature maps;
- :mod:`~cnnguide.figures.training` -- training curves, predictions, confusion matrices.
"""

from ._base import BookFigure, new_figure
from .concepts import *  # noqa: F401,F403
from .concepts import __all__ as _concepts_all
from .convolution import *  # noqa: F401,F403
from .convolution import __all__ as _convolution_all
from .training import *  # noqa: F401,F403
from .training import __all__ as _training_all

__all__ = ["BookFigure", "new_figure", *_convolution_all, *_concepts_all, *_training_all]
