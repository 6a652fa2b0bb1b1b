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

from importlib import import_module as _import_module

# Every figure needs these (matplotlib and the figure class): imported at once.
from ._base import BookFigure, SavedPicture, new_figure

#: Where each public name lives. A module is imported the first time one of
#: its names is used (PEP 562), so drawing a convolution does not import the
#: GAN modules: a page's imports stay its own, and so do the library files the
#: site's page cache ties its output to (``docs/hooks/pagerun``).
_EXPORTS = {
    "listing": ("SourceListing", "show_source"),
    "convolution": ("cross_correlation_figure", "padding_figure", "stride_figure", "sliding_window_animation",
                    "GifAnimation"),
    "channels": ("multi_in_channel_figure", "multi_out_channel_figure", "one_by_one_figure"),
    "pooling": ("pooling_figure", "shift_invariance_figure"),
    "parameters": ("parameter_count_bars", "parameter_growth"),
    "activations": ("activation_curves",),
    "receptive_fields": ("receptive_field_growth", "receptive_field_vs_depth"),
    "feature_maps": ("feature_map_grid", "kernel_grid"),
    "training": ("LivePlot", "confusion_matrix_figure", "plot_history", "prediction_grid"),
    "images": ("image_grid",),
    "networks": ("gradient_norms_by_depth",),
    "architectures": ("branch_cost_bars", "dense_channel_growth", "inception_channel_split", "step_cost_bars"),
    "diagrams": ("layer_label", "plot_block", "plot_dense_block", "plot_inception_block", "plot_residual_block",
                 "plot_sequential", "plot_vgg_block"),
    "transposed": ("transposed_conv_figure", "zero_insertion_figure"),
    "gan_points": ("plot_decision_surface", "plot_real_samples", "plot_ring_samples"),
    "explorers": ("convolution_explorer", "pooling_explorer", "live_lenet"),
    "gan_theory": ("generator_gradient_figure", "optimal_discriminator_figure"),
    "gan_training": ("plot_gan_history", "plot_samples_over_training"),
    "gan_conditional": ("plot_class_grid", "plot_label_agreement"),
    "gan_collapse": ("plot_class_histogram_over_training", "plot_modes_over_steps"),
    "recipes": ("ablation_figure", "schedule_figure"),
}  # fmt: skip
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = ["BookFigure", "SavedPicture", "new_figure", *_MODULE_OF]


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once per name
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
