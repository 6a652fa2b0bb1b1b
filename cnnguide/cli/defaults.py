"""The settings ``cnnguide train MODEL`` takes for the flags left out, from the book's recipes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["FALLBACK_DEFAULTS", "TrainDefaults", "defaults_for"]


@dataclass(frozen=True)
class TrainDefaults:
    """The settings ``cnnguide train MODEL`` uses for the flags left out.

    Attributes
    ----------
    lr, batch_size, epochs, resize
        As the flags of the same names.
    options : dict
        Builder options applied unless ``-o`` gives others (only for a model
        that has a recipe of its own, e.g. VGG-11's ``width_multiplier``).
    recipe : str or None
        The :data:`cnnguide.recipes.RECIPES` entry they come from.
    """

    lr: float
    batch_size: int
    epochs: int
    resize: int
    options: dict = field(default_factory=dict)
    recipe: str | None = None


#: For a registered model of a family that has no recipe.
FALLBACK_DEFAULTS = TrainDefaults(lr=0.05, batch_size=128, epochs=10, resize=96)


def _family(name: str) -> str:
    return re.match(r"[a-z]*", name.lower()).group()  # "densenet121", "densenet_small" -> "densenet"


def defaults_for(model: str) -> TrainDefaults:
    """The training defaults of ``model``, from the book's recipes (:mod:`cnnguide.recipes`).

    A model with a recipe of its own gets it, builder options included; another
    member of a family (``vgg16``, ``resnet50``) gets the hyper-parameters of
    its family's recipe, without options; any other model gets
    :data:`FALLBACK_DEFAULTS`. The recipes are the one table of these numbers,
    shared with ``scripts/reproduce.py`` and the chapters.

    Examples
    --------
    >>> defaults_for("lenet")
    TrainDefaults(lr=0.9, batch_size=256, epochs=10, resize=28, options={}, recipe='lenet')
    >>> defaults_for("resnet50").resize, defaults_for("resnet50").recipe
    (96, 'resnet18')
    """
    from ..recipes import RECIPES

    recipe = RECIPES.get(model)
    options = dict(recipe.options) if recipe else {}
    if recipe is None:
        recipe = next((r for r in RECIPES.values() if _family(r.name) == _family(model)), None)
    if recipe is None:
        return FALLBACK_DEFAULTS
    return TrainDefaults(recipe.lr, recipe.batch_size, recipe.epochs, recipe.resize, options, recipe.name)
