"""A layer table for any network: output shapes, parameters and FLOPs per image.

:func:`summarize` runs one forward pass on a zero image with a hook on every
leaf module -- the ``for layer in net: X = layer(X); print(...)`` loop of the
LeNet chapter, generalised to nested blocks, residual additions and
concatenating blocks (Inception, DenseNet), where a plain loop over the
children would not work.

Counting convention
-------------------
Only convolutions and fully connected layers are counted, because their
multiply-accumulates (MACs) dominate the cost of every network in the series:

- ``Conv1d/2d/3d``: output elements × ``in_channels / groups`` × kernel volume;
- ``ConvTranspose1d/2d/3d``: *input* elements × ``out_channels / groups`` ×
  kernel volume, the count of the convolution it transposes;
- ``Linear``: output elements × ``in_features``.

Biases, batch normalization, activations, pooling, the additions of residual
blocks and concatenations are not counted (each costs about one operation per
element, a few percent of the total). One multiply-accumulate is two
floating-point operations, so **FLOPs = 2 × MACs**. Beware that many papers and
torchvision's model tables say "FLOPs" for what is here called MACs: ResNet-18
at 224×224 is "1.8 GFLOPs" there, 1.82 G MACs = 3.64 GFLOPs here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from .tables import Table

__all__ = ["FLOP_CONVENTION", "LayerRow", "Summary", "format_count", "summarize"]

#: How the tables count operations, as their HTML footer states it.
FLOP_CONVENTION = ("FLOPs count a multiply-accumulate as 2 operations (FLOPs = 2 × MACs), in convolutions and "
                   "linear layers only. Papers that give ResNet-18 \"1.8 GFLOPs\" count multiply-adds, "
                   "the MACs here.")


@dataclass(frozen=True)
class LayerRow:
    """One call of one leaf module during the forward pass.

    Attributes
    ----------
    name : str
        Qualified module name, as in ``net.named_modules()`` (``"features.0"``).
    type : str
        Class name of the module (``"Conv2d"``).
    output_shape : tuple
        Shape of the output, batch dimension included; a tuple of shapes when
        the module returns several tensors.
    parameters : int
        Parameters the module owns directly. A module called twice (the shared
        ReLU of torchvision's residual blocks) shows them on its first call
        only, so the column adds up to the total.
    macs : int
        Multiply-accumulates per image (see the module docstring).
    """

    name: str
    type: str
    output_shape: tuple
    parameters: int
    macs: int

    @property
    def flops(self) -> int:
        """Floating-point operations per image, ``2 * macs``."""
        return 2 * self.macs


@dataclass
class Summary:
    """What :func:`summarize` measured; ``str(summary)`` is the aligned table.

    In a notebook, a ``Summary`` on the last line of a cell displays as an
    HTML table (with a totals row and the FLOP convention in its footer);
    ``print(summary)`` prints the text table.

    Attributes
    ----------
    rows : list of LayerRow
        One row per leaf-module call, in execution order.
    input_size : tuple of int
        Shape of the input the forward pass used.
    total_parameters, trainable_parameters : int
        Counted from ``net.parameters()`` (shared tensors once), so they include
        parameters of modules the forward pass did not call.
    macs : int
        Multiply-accumulates per image, summed over the rows.
    """

    rows: list[LayerRow]
    input_size: tuple[int, ...]
    total_parameters: int
    trainable_parameters: int
    macs: int = field(init=False)

    def __post_init__(self):
        self.macs = sum(row.macs for row in self.rows)

    @property
    def flops(self) -> int:
        """Floating-point operations per image, ``2 * macs``."""
        return 2 * self.macs

    @property
    def unused_parameters(self) -> int:
        """Parameters of modules that the forward pass never called (for example auxiliary heads)."""
        return self.total_parameters - sum(row.parameters for row in self.rows)

    def _notes(self) -> list[str]:
        notes = [f"Parameters: {self.total_parameters:,} ({format_count(self.total_parameters)}), "
                 f"trainable: {self.trainable_parameters:,}"]
        if self.unused_parameters:
            notes.append(f"Parameters not used by this forward pass: {self.unused_parameters:,}")
        size = "x".join(map(str, self.input_size[1:]))
        per = f"{size} image" if len(self.input_size) > 2 else f"input of {size} values"  # a noise vector
        notes.append(f"Per {per}: {self.macs:,} multiply-accumulates ({format_count(self.macs)} MACs)"
                     f" = {self.flops:,} FLOPs ({format_count(self.flops)})")
        return notes

    def to_table(self, total: bool = True) -> Table:
        """The layer table as a :class:`~cnnguide.tables.Table`, what notebooks display.

        With ``total``, a last row sums the parameters and FLOPs of the rows,
        and the notes end with the counting convention: FLOPs count a
        multiply-accumulate as 2 operations, and only convolutions and linear
        layers are counted.

        Examples
        --------
        >>> from cnnguide import models
        >>> table = summarize(models.create("lenet")).to_table()
        >>> table.total
        ('Total', '', '', '61,706', '833,040')
        >>> print(table.notes[-1])
        FLOPs count a multiply-accumulate as 2 operations (FLOPs = 2 × MACs), in convolutions and linear layers only. Papers that give ResNet-18 "1.8 GFLOPs" count multiply-adds, the MACs here.
        """
        header = ("Layer", "Type", "Output shape", "Parameters", "FLOPs")
        rows = [(row.name, row.type, _shape_text(row.output_shape), f"{row.parameters:,}", f"{row.flops:,}")
                for row in self.rows]
        notes = self._notes()
        totals = None
        if total:
            totals = ("Total", "", "", f"{sum(row.parameters for row in self.rows):,}", f"{self.flops:,}")
            notes.append(FLOP_CONVENTION)
        return Table(header, rows, align="lllrr", total=totals, notes=notes)

    def table(self) -> str:
        """The layer table as text: name, type, output shape, parameters, FLOPs per image, then totals."""
        return self.to_table(total=False).text()

    def __str__(self) -> str:
        return self.table()

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's plain text: the table, not the dataclass
        printer.text(self.table())

    def _repr_html_(self) -> str:
        """The layer table as an HTML ``<table>``, with a totals row and the FLOP convention."""
        return self.to_table()._repr_html_()


def format_count(n: int) -> str:
    """A count with a metric suffix and three significant digits.

    Examples
    --------
    >>> format_count(61706), format_count(1_814_073_344), format_count(840)
    ('61.7 k', '1.81 G', '840')
    """
    for scale, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= scale:
            return f"{n / scale:.3g} {suffix}"
    return str(n)


def _macs(module: nn.Module, inputs: tuple, output: torch.Tensor, batch: int) -> int:
    if isinstance(module, nn.modules.conv._ConvNd):
        kernel_volume = 1
        for k in module.kernel_size:
            kernel_volume *= k
        if module.transposed:
            # Each input element scales a kernel into out_channels / groups output maps: the
            # multiply-accumulates of the convolution it transposes (whose gradient it computes).
            return inputs[0].numel() // batch * (module.out_channels // module.groups) * kernel_volume
        return output.numel() // batch * (module.in_channels // module.groups) * kernel_volume
    if isinstance(module, nn.Linear):
        return output.numel() // batch * module.in_features
    return 0


def _shape_of(output) -> tuple:
    if isinstance(output, torch.Tensor):
        return tuple(output.shape)
    if isinstance(output, (tuple, list)):
        return tuple(_shape_of(item) for item in output)
    return ()


def _shape_text(shape: tuple) -> str:
    if shape and all(isinstance(item, tuple) for item in shape):
        return ", ".join(_shape_text(item) for item in shape)
    return "(" + ", ".join(map(str, shape)) + ")"


def summarize(
    net: nn.Module, input_size: tuple[int, ...] = (1, 1, 28, 28), device: str | torch.device = "cpu"
) -> Summary:
    """Run one forward pass of ``net`` on zeros of ``input_size`` and tabulate its layers.

    The network runs in evaluation mode under ``torch.no_grad()`` (batch
    normalization then accepts a batch of one) and its mode is restored
    afterwards; it is not moved, so it must already live on ``device``.

    Parameters
    ----------
    net : nn.Module
        Any network; nested blocks are unfolded down to leaf modules.
    input_size : tuple of int
        Input shape including the batch dimension. Counts are per image, so
        the batch size does not change them.
    device : str or torch.device
        Where the input is created. ``"meta"`` counts without computing: build
        the network under ``with torch.device("meta"):`` (no weights are
        allocated or initialised) and the forward pass only propagates shapes,
        so even VGG-19 at 224×224 takes milliseconds.

    Returns
    -------
    Summary

    Raises
    ------
    ValueError
        If ``input_size`` has a non-positive or non-integer entry, or the
        network's parameters are not on ``device``.

    Examples
    --------
    >>> from cnnguide import models
    >>> summary = summarize(models.create("lenet"))
    >>> print(summary)
    Layer         Type       Output shape     Parameters    FLOPs
    -------------------------------------------------------------
    features.0    Conv2d     (1, 6, 28, 28)          156  235,200
    features.1    Sigmoid    (1, 6, 28, 28)            0        0
    features.2    AvgPool2d  (1, 6, 14, 14)            0        0
    features.3    Conv2d     (1, 16, 10, 10)       2,416  480,000
    features.4    Sigmoid    (1, 16, 10, 10)           0        0
    features.5    AvgPool2d  (1, 16, 5, 5)             0        0
    classifier.0  Flatten    (1, 400)                  0        0
    classifier.1  Linear     (1, 120)             48,120   96,000
    classifier.2  Sigmoid    (1, 120)                  0        0
    classifier.3  Linear     (1, 84)              10,164   20,160
    classifier.4  Sigmoid    (1, 84)                   0        0
    classifier.5  Linear     (1, 10)                 850    1,680
    -------------------------------------------------------------
    Parameters: 61,706 (61.7 k), trainable: 61,706
    Per 1x28x28 image: 416,520 multiply-accumulates (417 k MACs) = 833,040 FLOPs (833 k)
    >>> summary.rows[0]
    LayerRow(name='features.0', type='Conv2d', output_shape=(1, 6, 28, 28), parameters=156, macs=117600)

    The same counts on the meta device, without any arithmetic:

    >>> with torch.device("meta"):
    ...     big = models.create("vgg19")
    >>> f"{summarize(big, (1, 1, 224, 224), device='meta').flops:,}"
    '39,...'
    """
    input_size = tuple(input_size)
    if not input_size or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in input_size):
        raise ValueError(f"input_size must be a tuple of positive integers, got {input_size!r}")
    device = torch.device(device)
    params = list(net.parameters())
    for p in params:
        if p.device.type != device.type:
            raise ValueError(f"the network's parameters are on {p.device}, but device is {device}")
    dtype = next((p.dtype for p in params if p.is_floating_point()), torch.get_default_dtype())
    batch = input_size[0]

    rows: list[LayerRow] = []
    seen: set[int] = set()

    def hook(name: str):
        def record(module, inputs, output):
            # A module called again (weight sharing, a reused ReLU) shows its
            # parameters once, so the column sums to the network's total.
            own = 0 if id(module) in seen else sum(p.numel() for p in module.parameters(recurse=False))
            seen.add(id(module))
            macs = _macs(module, inputs, output, batch) if isinstance(output, torch.Tensor) else 0
            rows.append(LayerRow(name, type(module).__name__, _shape_of(output), own, macs))

        return record

    # Leaves, plus any container that holds parameters of its own (a learnable
    # scale, a class token), so that no parameter is left out of the rows.
    handles = [
        module.register_forward_hook(hook(name or type(module).__name__))
        for name, module in net.named_modules()
        if not any(True for _ in module.children()) or any(True for _ in module.parameters(recurse=False))
    ]
    was_training = net.training
    try:
        net.eval()
        with torch.no_grad():
            net(torch.zeros(input_size, device=device, dtype=dtype))
    finally:
        net.train(was_training)
        for handle in handles:
            handle.remove()

    unique = {id(p): p for p in params}.values()
    return Summary(
        rows=rows,
        input_size=input_size,
        total_parameters=sum(p.numel() for p in unique),
        trainable_parameters=sum(p.numel() for p in unique if p.requires_grad),
    )
