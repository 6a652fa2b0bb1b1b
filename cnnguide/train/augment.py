"""Data augmentation for whole batches on the device: random crop with padding, flip, erasing.

torchvision's ``transforms.v2`` draws *one* set of random parameters per call,
so a ``RandomCrop`` applied to a batch tensor crops every image of the batch
at the same place. Calling it once per image gives each image its own crop,
but costs a Python call per image and per transform -- on a CPU that is a
sizeable part of a small network's step, and on a GPU hundreds of tiny
kernels per batch.

:class:`BatchAugment` draws the parameters of every image at once, as tensors,
and applies them in a few batch-wide operations: torchvision's ``pad`` and
``horizontal_flip`` on the whole batch, then one gather for the crops and one
mask for the erased rectangles. Each image ends up exactly as
``transforms.v2.functional.crop``, ``horizontal_flip`` and ``erase`` would make
it with the same parameters (the tests check this image by image), and the
erased rectangles follow ``v2.RandomErasing``'s distribution of areas and
aspect ratios.

The random numbers come from torch's global generator (on the batch's
device), which :func:`~cnnguide.train.fit` seeds and checkpoints.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as TF

__all__ = ["BatchAugment"]

_ERASING = v2.RandomErasing()  # its default scale and ratio are the distribution used here
_ATTEMPTS = 10  # as v2.RandomErasing: draw up to 10 rectangles, keep the first that fits


class BatchAugment(nn.Module):
    """Per-image random crop with padding, horizontal flip and random erasing of a batch.

    Applied to training batches only (``fit(..., augment=BatchAugment(...))``).

    Parameters
    ----------
    padding : int
        Pad each side by this many pixels, then crop back to the original size
        at a random offset (0 turns the crop off). 4 is the classic setting
        for 32x32 images.
    flip : bool
        Mirror each image left-right with probability 1/2.
    erasing : float
        Probability of erasing one random rectangle of each image (0 = off);
        ``v2.RandomErasing`` uses 0.5.
    fill : float
        Value of the padding and of the erased rectangles (images are in
        [0, 1]: 0 is black, Fashion-MNIST's background).
    padding_mode : {"constant", "reflect", "edge", "symmetric"}
        As ``transforms.v2.functional.pad``; ``fill`` is used with "constant".

    Examples
    --------
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> augment = BatchAugment(padding=2, flip=True, erasing=0.5)
    >>> X = torch.rand(8, 1, 28, 28)
    >>> augment(X).shape
    torch.Size([8, 1, 28, 28])
    >>> params = augment.sample(X)
    >>> sorted(params), params["top"].shape
    (['erase', 'flip', 'left', 'top'], torch.Size([8]))
    """

    def __init__(self, padding: int = 4, flip: bool = True, erasing: float = 0.0, fill: float = 0.0,
                 padding_mode: str = "constant") -> None:
        super().__init__()
        if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
            raise ValueError(f"padding must be a non-negative integer, got {padding!r}")
        if not 0 <= erasing <= 1:
            raise ValueError(f"erasing must be a probability from 0 to 1, got {erasing!r}")
        if padding_mode not in ("constant", "reflect", "edge", "symmetric"):
            raise ValueError(f"padding_mode must be constant, reflect, edge or symmetric, got {padding_mode!r}")
        self.padding, self.flip, self.erasing = padding, bool(flip), float(erasing)
        self.fill, self.padding_mode = float(fill), padding_mode

    def extra_repr(self) -> str:
        return (f"padding={self.padding}, flip={self.flip}, erasing={self.erasing}, fill={self.fill}, "
                f"padding_mode={self.padding_mode!r}")

    @property
    def is_identity(self) -> bool:
        """Whether every piece is off."""
        return self.padding == 0 and not self.flip and self.erasing == 0

    def sample(self, X: torch.Tensor) -> dict[str, torch.Tensor]:
        """Random parameters for each image of ``X`` ``(B, C, H, W)``, as tensors on its device.

        Returns
        -------
        dict
            ``top``, ``left``: crop offsets into the padded image (0 to
            ``2 * padding``); ``flip``: bool; ``erase``: ``(B, 4)`` rows
            ``(i, j, h, w)`` of the rectangle, ``h = 0`` where nothing is erased.
        """
        B, _, H, W = X.shape
        device = X.device
        offsets = torch.randint(0, 2 * self.padding + 1, (2, B), device=device)
        flip = torch.rand(B, device=device) < 0.5 if self.flip else torch.zeros(B, dtype=torch.bool, device=device)
        return {"top": offsets[0], "left": offsets[1], "flip": flip, "erase": self._rectangles(B, H, W, device)}

    def _rectangles(self, B: int, H: int, W: int, device) -> torch.Tensor:
        rect = torch.zeros(B, 4, dtype=torch.int64, device=device)
        if self.erasing == 0:
            return rect
        (s0, s1), (r0, r1) = _ERASING.scale, _ERASING.ratio
        area = H * W * torch.empty(B, _ATTEMPTS, device=device).uniform_(s0, s1)
        aspect = torch.exp(torch.empty(B, _ATTEMPTS, device=device).uniform_(math.log(r0), math.log(r1)))
        h = torch.sqrt(area * aspect).round().long()
        w = torch.sqrt(area / aspect).round().long()
        fits = (h < H) & (w < W) & (h > 0) & (w > 0)
        first = fits.int().argmax(dim=1, keepdim=True)  # the first attempt that fits
        h, w = h.gather(1, first).squeeze(1), w.gather(1, first).squeeze(1)
        chosen = fits.any(dim=1) & (torch.rand(B, device=device) < self.erasing)
        # A uniform draw scaled to the room left gives i uniform in 0..H-h, as randint does.
        i = (torch.rand(B, device=device) * (H - h + 1)).floor().long()
        j = (torch.rand(B, device=device) * (W - w + 1)).floor().long()
        return torch.stack([i, j, h, w], dim=1) * chosen[:, None]

    def apply(self, X: torch.Tensor, params: dict[str, torch.Tensor]) -> torch.Tensor:
        """``X`` transformed with the parameters of :meth:`sample`."""
        B, C, H, W = X.shape
        if self.padding:
            p = self.padding
            padded = TF.pad(X, [p, p, p, p], fill=self.fill, padding_mode=self.padding_mode)
            # One gather along the rows and one along the columns crop every image at its own offset.
            rows = params["top"][:, None] + torch.arange(H, device=X.device)
            cols = params["left"][:, None] + torch.arange(W, device=X.device)
            X = padded.take_along_dim(rows[:, None, :, None].expand(B, C, H, W + 2 * p), dim=2)
            X = X.take_along_dim(cols[:, None, None, :].expand(B, C, H, W), dim=3)
        if self.flip:
            X = torch.where(params["flip"][:, None, None, None], TF.horizontal_flip(X), X)
        if self.erasing:
            i, j, h, w = params["erase"].unbind(1)
            r, c = torch.arange(H, device=X.device), torch.arange(W, device=X.device)
            inside = (((r >= i[:, None]) & (r < (i + h)[:, None]))[:, :, None]
                      & ((c >= j[:, None]) & (c < (j + w)[:, None]))[:, None, :])
            X = X.masked_fill(inside[:, None], self.fill)
        return X

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if X.dim() != 4:
            raise ValueError(f"expected a batch of shape (B, C, H, W), got {tuple(X.shape)}")
        if self.is_identity:
            return X
        return self.apply(X, self.sample(X))
