"""A GAN run's setup, checked before the first step: the noise size, the classes, the fixed samples.

:func:`~cnnguide.gan.fit_gan` calls these so that a mismatched pair of
networks is one clear error before training, not a shape error in the middle
of it; :func:`fixed_labels` also tells the recipes which classes a
conditional run's fixed samples show.
"""

from __future__ import annotations

import torch
from torch import nn

from ..devices import autocast

__all__ = ["NonFiniteGANLossError", "fixed_labels", "shared_noise"]


class NonFiniteGANLossError(FloatingPointError):
    """A loss of :func:`fit_gan` became ``nan`` or ``inf``.

    Attributes
    ----------
    step : int
        The first step (counted from 1) whose loss was not finite.
    network : str
        ``"discriminator"`` or ``"generator"``: whose loss it was.
    """

    def __init__(self, step: int, network: str):
        self.step, self.network = step, network
        super().__init__(f"the {network} loss is not finite at step {step} (counted from 1); "
                         "the learning rate is probably too high")


def positive_int(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def latent_dim_of(generator, latent_dim):
    own = getattr(generator, "latent_dim", None)
    if latent_dim is None and own is None:
        raise ValueError(f"{type(generator).__name__} has no latent_dim attribute; pass latent_dim=")
    if latent_dim is not None and own is not None and latent_dim != own:
        raise ValueError(f"latent_dim={latent_dim} but the generator takes noise of {own} values")
    return positive_int("latent_dim", latent_dim if latent_dim is not None else own)


def checks_each_step(device: torch.device) -> bool:
    """Whether to test each loss on the host at once: free on a CPU, a stall on a GPU."""
    return device.type == "cpu"


def draw_fixed(generator, fixed_noise, device, amp, labels=None):
    was_training = generator.training
    generator.eval()  # batch norm with its running statistics: the generator as it will be used
    try:
        with torch.no_grad(), autocast(device, amp):
            out = generator(fixed_noise) if labels is None else generator(fixed_noise, labels)
            return out.float().cpu()
    finally:
        generator.train(was_training)


def fixed_labels(num_samples: int, num_classes: int) -> torch.Tensor:
    """The labels of a conditional run's fixed sample batch: ``i · num_classes // num_samples`` for sample ``i``.

    In class order, each class an equal run (to within one): 100 samples of 10
    classes are 10 rows of one class each in a 10-wide grid.

    Examples
    --------
    >>> fixed_labels(10, 5).tolist()
    [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    """
    return torch.arange(num_samples) * num_classes // num_samples


def shared_noise(noise: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The same noise vectors for every class: sample ``i`` takes ``noise[j]``, ``j`` its place in its class's run.

    A conditional run's fixed batch asks for each class in a run of
    :func:`fixed_labels`; giving every run the same first noise vectors makes
    each column of the class grid one noise vector under every label, so a
    reader sees what the label alone changes.

    Examples
    --------
    >>> z = torch.arange(4.0).unsqueeze(1)
    >>> shared_noise(z, torch.tensor([0, 0, 1, 1])).flatten().tolist()
    [0.0, 1.0, 0.0, 1.0]
    >>> shared_noise(z, torch.tensor([0, 0, 0, 1])).flatten().tolist()
    [0.0, 1.0, 2.0, 0.0]
    """
    starts = torch.ones_like(labels, dtype=torch.bool)
    starts[1:] = labels[1:] != labels[:-1]
    index = torch.arange(len(labels), device=labels.device)
    first = torch.cummax(torch.where(starts, index, torch.zeros_like(index)), dim=0).values
    return noise[(index - first).to(noise.device)]


def num_classes_of(generator, discriminator):
    """The number of classes of a conditional game (the generator's ``num_classes``), or None."""
    k = getattr(generator, "num_classes", None)
    k_d = getattr(discriminator, "num_classes", None)
    if k is None:
        if k_d is not None:
            raise ValueError(f"the discriminator is conditional (num_classes={k_d}) but the generator is not")
        return None
    if k_d != k:
        raise ValueError(f"the generator is conditional with num_classes={k}, but the discriminator's "
                         f"num_classes is {k_d}: both networks must take the same labels")
    return positive_int("num_classes", k)


def call_on_sample(on_sample, step: int, sampler: nn.Module) -> None:
    """``on_sample(step, sampler)`` with the sampler in evaluation mode, if there is a callback."""
    if on_sample is None:
        return
    was_training = sampler.training
    sampler.eval()
    try:
        on_sample(step, sampler)
    finally:
        sampler.train(was_training)


def has_batch_norm(net: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in net.modules())
