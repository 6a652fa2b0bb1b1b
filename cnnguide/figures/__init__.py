"""The book's pictures, drawn from computed values.

Every function returns a :class:`~cnnguide.figures.BookFigure` (a matplotlib
figure with alt text) and draws only numbers it computed with :mod:`cnnguide.ops`
or read from a model; nothing on a figure is typed in by hand.

- :mod:`~cnnguide.figures.convolution` -- windows, padding, stride, the sliding-window animation;
- :mod:`~cnnguide.figures.channels` -- multiple input and output channels, 1x1 convolution;
- :mod:`~cnnguide.figures.pooling` -- max and average pooling, shift invariance;
- :mod:`~cnnguide.figures.transposed` -- transposed convolution: scattered kernel copies, zero insertion;
- :mod:`~cnnguide.figures.gan_points` -- a GAN on 2-D data: samples over training, the discriminator's surface;
- :mod:`~cnnguide.figures.gan_theory` -- the optimal discriminator, the generator losses' gradients;
- :mod:`~cnnguide.figures.gan_training` -- a GAN run's losses and D's outputs, its samples over training;
- :mod:`~cnnguide.figures.parameters` -- parameter counts: dense vs convolution, modules side by side;
- :mod:`~cnnguide.figures.activations` -- activation functions and their derivatives;
- :mod:`~cnnguide.figures.receptive_fields` -- the pixels one unit sees, layer after layer;
- :mod:`~cnnguide.figures.feature_maps` -- a layer's feature maps and a convolution's kernels;
- :mod:`~cnnguide.figures.training` -- training curves (and :class:`LivePlot`, a ``fit`` callback), predictions,
  confusion matrices;
- :mod:`~cnnguide.figures.networks` -- gradient norms through the depth of a network;
- :mod:`~cnnguide.figures.recipes` -- a training recipe's learning-rate schedules and its ablation;
- :mod:`~cnnguide.figures.diagrams` -- architecture diagrams drawn from the model objects (LeNet; VGG,
  residual, Inception and dense blocks);
- :mod:`~cnnguide.figures.listing` -- the library's own source, shown where a chapter explains it.
- :mod:`~cnnguide.figures.explorers` -- explorable figures run by the page's JavaScript: the convolution and
  pooling explorers, the live LeNet (and :mod:`~cnnguide.figures.network_export`, its weights).
"""

from ._base import BookFigure, new_figure
from .architectures import *  # noqa: F401,F403
from .architectures import __all__ as _architectures_all
from .activations import *  # noqa: F401,F403
from .activations import __all__ as _activations_all
from .channels import *  # noqa: F401,F403
from .channels import __all__ as _channels_all
from .convolution import *  # noqa: F401,F403
from .convolution import __all__ as _convolution_all
from .diagrams import *  # noqa: F401,F403
from .diagrams import __all__ as _diagrams_all
from .feature_maps import *  # noqa: F401,F403
from .feature_maps import __all__ as _feature_maps_all
from .gan_points import *  # noqa: F401,F403
from .gan_points import __all__ as _gan_points_all
from .gan_theory import *  # noqa: F401,F403
from .gan_theory import __all__ as _gan_theory_all
from .gan_training import *  # noqa: F401,F403
from .gan_training import __all__ as _gan_training_all
from .gan_conditional import *  # noqa: F401,F403
from .gan_conditional import __all__ as _gan_conditional_all
from .gan_collapse import *  # noqa: F401,F403
from .gan_collapse import __all__ as _gan_collapse_all
from .images import *  # noqa: F401,F403
from .listing import SourceListing, show_source
from .images import __all__ as _images_all
from .networks import *  # noqa: F401,F403
from .networks import __all__ as _networks_all
from .parameters import *  # noqa: F401,F403
from .parameters import __all__ as _parameters_all
from .pooling import *  # noqa: F401,F403
from .pooling import __all__ as _pooling_all
from .receptive_fields import *  # noqa: F401,F403
from .receptive_fields import __all__ as _receptive_fields_all
from .recipes import *  # noqa: F401,F403
from .recipes import __all__ as _recipes_all
from .training import *  # noqa: F401,F403
from .training import __all__ as _training_all
from .transposed import *  # noqa: F401,F403
from .transposed import __all__ as _transposed_all
from .explorers import convolution_explorer, live_lenet, pooling_explorer

__all__ = [
    "BookFigure", "new_figure", "SourceListing", "show_source",
    *_convolution_all, *_channels_all, *_pooling_all, *_parameters_all, *_activations_all,
    *_receptive_fields_all, *_feature_maps_all, *_training_all, *_images_all,
    *_networks_all, *_architectures_all, *_diagrams_all, *_transposed_all, *_gan_points_all,
    "convolution_explorer", "pooling_explorer", "live_lenet",
    *_gan_theory_all, *_gan_training_all, *_gan_conditional_all, *_gan_collapse_all, *_recipes_all,
]
