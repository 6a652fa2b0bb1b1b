"""The ``cnnguide`` command: train, score and use the book's networks and GANs, from the shell.

::

    cnnguide train lenet                                  # Fashion-MNIST, the book's recipe (train)
    cnnguide train resnet18 --data comp/ --out runs/comp  # your own images, the baseline (train_folders)
    cnnguide predict runs/comp --data comp/ --out submission.csv                    (predict)
    cnnguide evaluate runs/comp --data comp/              # accuracy, per class, confusion, mistakes (evaluate)
    cnnguide summary vgg11 --size 224                     # layers, parameters, FLOPs (summary)
    cnnguide gan train dcgan-cpu --steps 5000             # a GAN recipe (gan, gan_train)
    cnnguide gan sample runs/gan-dcgan-cpu --n 64 --out grid.png                    (gan_sample)
    cnnguide gan score runs/gan-dcgan-cpu                 # the judge's scores (gan_score)

One module per command; what they share lives in :mod:`~cnnguide.cli.options`
(argument types, ``--device``, the one-line error), :mod:`~cnnguide.cli.defaults`
(the book's recipes as defaults), :mod:`~cnnguide.cli.building` (building the
named model) and :mod:`~cnnguide.cli.runs` (reading a run folder back, its
damaged files named). :mod:`~cnnguide.cli.main` assembles the parser from the
commands' modules; every import points downward, with no circle (a test draws the graph).
"""

from .defaults import FALLBACK_DEFAULTS, TrainDefaults, defaults_for
from .building import GAN_NETWORKS
from .main import build_parser, main

__all__ = ["FALLBACK_DEFAULTS", "GAN_NETWORKS", "TrainDefaults", "build_parser", "defaults_for", "main"]
