"""Generative adversarial networks, from the 2-D game to DCGAN, measured offline.

One concept per module:

- :mod:`~cnnguide.gan.toy_data` -- the ring and the grid of Gaussians (2-D data with known modes);
- :mod:`~cnnguide.gan.coverage` -- modes covered, high-quality samples and reverse KL on 2-D data;
- :mod:`~cnnguide.gan.nets` -- MLP and DCGAN generators and discriminators;
- :mod:`~cnnguide.gan.conditional` -- the class-conditional DCGAN generator and the projection discriminator;
- :mod:`~cnnguide.gan.losses` -- what each player minimises (:class:`GANLoss`: ``"bce"``, ``"saturating"``,
  ``"wgan-gp"``);
- :mod:`~cnnguide.gan.remedies` -- against mode collapse: spectral norm, minibatch std, PacGAN packing
  (unrolling and WGAN-GP are options of :func:`fit_gan` and of the loss);
- :mod:`~cnnguide.gan.collapse` -- mode collapse seen over training: modes and classes at each sample step;
- :mod:`~cnnguide.gan.compare` -- the remedies compared on the ring over seeds, at equal generator steps;
- :mod:`~cnnguide.gan.training` -- :func:`fit_gan`, the alternating updates;
- :mod:`~cnnguide.gan.average` -- :class:`GeneratorEMA`, a moving average of the generator's weights to sample from;
- :mod:`~cnnguide.gan.step` -- one step of the game (:class:`~cnnguide.gan.step.GameStep`), unrolled or not;
- :mod:`~cnnguide.gan.history` -- :class:`GANHistory`, the logged steps and the fixed-noise samples;
- :mod:`~cnnguide.gan.batches` -- the endless, resumable stream of real batches;
- :mod:`~cnnguide.gan.checkpoint` -- safetensors checkpoints of both networks and optimizers;
- :mod:`~cnnguide.gan.recipes` -- the full runs' settings (ring, dcgan, cgan) and their final measures;
- :mod:`~cnnguide.gan.judge` -- a Fashion-MNIST classifier that scores generated images.
- :mod:`~cnnguide.gan.image_metrics` -- the judge's scores: Inception Score, judge FID, precision/recall.
- :mod:`~cnnguide.gan.diversity` -- a seeded draw of images and how varied it is (class entropy, precision, recall);
- :mod:`~cnnguide.gan.agreement` -- label agreement: does a conditional generator draw the class it is asked for?

This package may use :mod:`cnnguide.train`'s checkpoint and history machinery;
:mod:`cnnguide.train` never imports it.
"""

from .coverage import ModeCoverage, mode_coverage
from .history import GANHistory, load_kept_samples, measures_table
from .image_metrics import (
    ClassScore, JudgeReference, PrecisionRecall, Score, improved_precision_recall, inception_score,
    judge_fid, judge_precision_recall, judge_reference, per_class_scores,
)  # fmt: skip
# The function judge.judge() is not lifted here: it would hide the module cnnguide.gan.judge.
from .judge import (
    JudgeNet, check_images, class_entropy, class_histogram, class_probabilities, classes_covered, from_tanh,
    judge_accuracy, judge_features, judge_manifest, load_judge,
)  # fmt: skip
from .average import GeneratorEMA
from .diversity import Diversity, judge_diversity, seeded_fakes
from .losses import GANLoss, HingeLoss, NonSaturatingLoss, SaturatingLoss, WGANGPLoss, gan_loss
from .nets import (
    DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator, dcgan_init_, default_init_,
)  # fmt: skip
from .conditional import ConditionalDCGANGenerator, FixedLabel, ProjectionDiscriminator
from .agreement import (
    ClassConditionalFID, LabelAgreement, class_conditional_fid, generator_label_agreement, label_agreement,
)  # fmt: skip
from .remedies import MinibatchStd, pack_samples, spectral_norm_
from .collapse import class_fractions_over_steps, home_modes, mode_fractions, mode_turnover, modes_over_steps
from .recipes import GAN_RECIPES, GANRecipe, get_gan_recipe
from .toy_data import grid_centers, grid_of_gaussians, ring_centers, ring_of_gaussians
from .training import NonFiniteGANLossError, fit_gan

__all__ = [
    # toy_data, coverage
    "grid_centers", "grid_of_gaussians", "ring_centers", "ring_of_gaussians", "ModeCoverage", "mode_coverage",
    # judge
    "JudgeNet", "check_images", "class_entropy", "class_histogram", "class_probabilities", "classes_covered",
    "from_tanh",
    "judge_accuracy", "judge_features", "judge_manifest", "load_judge",
    # image_metrics
    "ClassScore", "JudgeReference", "PrecisionRecall", "Score", "improved_precision_recall",
    "inception_score", "judge_fid", "judge_precision_recall", "judge_reference", "per_class_scores",
    # diversity
    "Diversity", "judge_diversity", "seeded_fakes",
    # nets, losses, training, history, recipes
    "DCGANDiscriminator", "DCGANGenerator", "MLPDiscriminator", "MLPGenerator", "dcgan_init_", "default_init_",
    "GANLoss", "HingeLoss", "NonSaturatingLoss", "SaturatingLoss", "gan_loss", "GANHistory", "load_kept_samples",
    "measures_table",
    "NonFiniteGANLossError",
    "fit_gan", "GeneratorEMA",
    "GAN_RECIPES", "GANRecipe", "get_gan_recipe",
    # conditional, agreement
    "ConditionalDCGANGenerator", "FixedLabel", "ProjectionDiscriminator", "ClassConditionalFID", "LabelAgreement",
    "class_conditional_fid", "generator_label_agreement", "label_agreement",
    # remedies, collapse
    "WGANGPLoss", "MinibatchStd", "pack_samples", "spectral_norm_", "class_fractions_over_steps", "mode_fractions",
    "home_modes", "mode_turnover", "modes_over_steps",
]  # fmt: skip
