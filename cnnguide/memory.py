"""What one training step costs: memory saved for the backward pass, arithmetic and time.

Parameter counts say little about how much memory training needs. During the
forward pass autograd keeps, for every operation, the tensors its backward
formula will need -- the input of a convolution, the input of a batch norm,
the output of a ReLU -- until ``backward()`` has used them. For a
convolutional network these *saved activations* are most of the memory a
training step takes, and they grow with the batch size and the image size,
while the parameters do not.

:func:`saved_activation_bytes` measures them exactly: it runs one forward pass
under :class:`torch.autograd.graph.saved_tensors_hooks` and adds up the bytes of
every distinct storage autograd saved, leaving out the parameters and buffers
(the weights exist anyway, whatever the batch). Two saved tensors that share
memory (a ReLU applied in place, a view) are counted once. This is a lower
bound on a step's peak memory: the allocator's temporaries, the gradients and
the optimizer's state come on top.

:func:`training_step_cost` puts it next to the parameters, the MACs of
:func:`cnnguide.summary.summarize` and the measured time of a forward and
backward pass, to compare networks.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import torch
from torch import nn

from .summary import summarize

__all__ = ["StepCost", "saved_activation_bytes", "training_step_cost"]


def _storage_key(t: torch.Tensor):
    """An identifier of the memory behind ``t`` (shared by views and in-place results), or None."""
    try:
        storage = t.untyped_storage()
    except (RuntimeError, NotImplementedError):  # sparse or otherwise storage-less tensors
        return None
    return (t.device, storage.data_ptr()), storage.nbytes()


def saved_activation_bytes(net: nn.Module, inputs: torch.Tensor) -> tuple[int, int]:
    """Bytes and number of distinct tensors autograd saves for backward in one forward pass.

    Parameters and buffers of ``net`` (weights, batch-norm running statistics)
    are not counted; everything else autograd keeps is, once per storage. The
    network runs in its current mode (call ``net.train()`` first to measure a
    training step: batch norm saves different things in evaluation mode), with
    gradients enabled. Nothing is run backward.

    Parameters
    ----------
    net : nn.Module
        The network; its parameters must require gradients, or autograd saves nothing.
    inputs : torch.Tensor
        A batch, on the network's device.

    Returns
    -------
    (int, int)
        Bytes saved, and how many distinct storages they live in.

    Raises
    ------
    ValueError
        If ``inputs`` is not a tensor.

    Examples
    --------
    A 3×3 convolution saves its 1×1×5×5 input (25 floats, 100 bytes) and its
    weight (a parameter, not counted); the ReLU applied in place saves its
    output, which is the convolution's output (2×3×3 floats, 72 bytes):

    >>> net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(inplace=True))
    >>> saved_activation_bytes(net, torch.zeros(1, 1, 5, 5))
    (172, 2)
    """
    if not isinstance(inputs, torch.Tensor):
        raise ValueError(f"inputs must be a tensor, got {type(inputs).__name__}")
    owned = {_storage_key(t)[0] for t in [*net.parameters(), *net.buffers()] if _storage_key(t) is not None}
    seen: dict = {}

    def pack(t: torch.Tensor):
        key = _storage_key(t)
        if key is not None and key[0] not in owned:
            seen[key[0]] = key[1]
        return t

    with torch.enable_grad(), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        net(inputs)
    return sum(seen.values()), len(seen)


@dataclass(frozen=True)
class StepCost:
    """What :func:`training_step_cost` measured for one network.

    Attributes
    ----------
    parameters : int
        Parameters of the network.
    saved_bytes : int
        Activation memory saved for backward by one forward pass of the batch
        (see :func:`saved_activation_bytes`).
    batch_size : int
        Images in the measured batch.
    macs : int
        Multiply-accumulates of one forward pass, per image (convolutions and
        linear layers, as :func:`cnnguide.summary.summarize` counts them).
    seconds : float
        Median wall time of one forward and backward pass of the batch.
    """

    parameters: int
    saved_bytes: int
    batch_size: int
    macs: int
    seconds: float

    @property
    def saved_bytes_per_image(self) -> float:
        """Saved activation memory divided by the batch size."""
        return self.saved_bytes / self.batch_size

    @property
    def seconds_per_image(self) -> float:
        """Forward-and-backward wall time divided by the batch size."""
        return self.seconds / self.batch_size


def training_step_cost(net: nn.Module, input_size: tuple[int, ...], *, repeats: int = 3, seed: int = 0) -> StepCost:
    """Parameters, saved activation memory, MACs per image and time of a forward and backward pass.

    The network is put in training mode (and restored afterwards) and fed a
    random batch of ``input_size`` on the device of its parameters. The time
    is the median of ``repeats`` forward-and-backward passes after one
    untimed warm-up pass. Gradients are accumulated and then cleared, and the
    buffers (batch norm's running statistics, which every training-mode pass
    updates) are put back: the network leaves as it came.

    Parameters
    ----------
    net : nn.Module
        A classifier whose output is a tensor.
    input_size : tuple of int
        ``(batch, channels, height, width)``.
    repeats : int
        Timed passes.
    seed : int
        Seed of the random batch.

    Raises
    ------
    ValueError
        If ``repeats`` is not a positive integer, or ``input_size`` is not
        four positive integers.

    Examples
    --------
    >>> cost = training_step_cost(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten()), (4, 1, 5, 5), repeats=1)
    >>> cost.parameters, cost.saved_bytes, cost.saved_bytes_per_image, cost.macs
    (20, 400, 100.0, 162)
    """
    input_size = tuple(input_size)
    if len(input_size) != 4 or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in input_size):
        raise ValueError(f"input_size must be four positive integers (batch, channels, height, width), "
                         f"got {input_size!r}")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    first = next(net.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    generator = torch.Generator().manual_seed(seed)
    X = torch.rand(input_size, generator=generator).to(device)
    macs = summarize(net, (1, *input_size[1:]), device=device).macs
    was_training = net.training
    buffers = [(b, b.detach().clone()) for b in net.buffers()]
    try:
        net.train()
        saved, _ = saved_activation_bytes(net, X)
        times = []
        for i in range(repeats + 1):
            tic = time.perf_counter()
            net(X).float().sum().backward()
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            if i:  # the first pass warms up the allocator and the kernels
                times.append(time.perf_counter() - tic)
    finally:
        net.zero_grad(set_to_none=True)
        net.train(was_training)
        with torch.no_grad():
            for buffer, value in buffers:
                buffer.copy_(value)
    return StepCost(
        parameters=sum(p.numel() for p in {id(p): p for p in net.parameters()}.values()),
        saved_bytes=saved,
        batch_size=input_size[0],
        macs=macs,
        seconds=statistics.median(times),
    )
