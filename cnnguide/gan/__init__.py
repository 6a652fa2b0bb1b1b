"""Generative adversarial networks, from the 2-D game to DCGAN, measured offline.

One concept per module:

- :mod:`~cnnguide.gan.toy_data` -- the ring and the grid of Gaussians (2-D data with known modes);
- :mod:`~cnnguide.gan.coverage` -- modes covered, high-quality samples and reverse KL on 2-D data;
- :mod:`~cnnguide.gan.nets` -- MLP and DCGAN generators and discriminators;
- :mod:`~cnnguide.gan.training` -- :func:`fit_gan`, the alternating updates;
- :mod:`~cnnguide.gan.judge` -- a Fashion-MNIST classifier that scores generated images.
- :mod:`~cnnguide.gan.image_metrics` -- the judge's scores: Inception Score, judge FID, precision/recall.

This package may use :mod:`cnnguide.train`'s checkpoint and history machinery;
:mod:`cnnguide.train` never imports it.
"""

from .coverage import ModeCoverage, mode_coverage
from .image_metrics import (
    ClassScore, JudgeReference, PrecisionRecall, Score, improved_precision_recall, inception_score,
    judge_fid, judge_precision_recall, judge_reference, per_class_scores,
)  # fmt: skip
# The function judge.judge() is not lifted here: it would hide the module cnnguide.gan.judge.
from .judge import (
    JudgeNet, check_images, class_histogram, class_probabilities, classes_covered, from_tanh,
    judge_accuracy, judge_features, judge_manifest, load_judge,
)  # fmt: skip
from .toy_data import grid_centers, grid_of_gaussians, ring_centers, ring_of_gaussians

__all__ = [
    # toy_data, coverage
    "grid_centers", "grid_of_gaussians", "ring_centers", "ring_of_gaussians", "ModeCoverage", "mode_coverage",
    # judge
    "JudgeNet", "check_images", "class_histogram", "class_probabilities", "classes_covered", "from_tanh",
    "judge_accuracy", "judge_features", "judge_manifest", "load_judge",
    # image_metrics
    "ClassScore", "JudgeReference", "PrecisionRecall", "Score", "improved_precision_recall",
    "inception_score", "judge_fid", "judge_precision_recall", "judge_reference", "per_class_scores",
]  # fmt: skip
