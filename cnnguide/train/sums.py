"""One epoch's running sums, kept on the device so that adding a batch never waits for it."""

from __future__ import annotations

import torch

from .distributed import DistributedRun

__all__ = ["NO_BAD_BATCH", "EpochSums", "NonFiniteLossError"]

#: What the first non-finite batch index holds while every loss is finite.
NO_BAD_BATCH = torch.iinfo(torch.int64).max



class NonFiniteLossError(FloatingPointError):
    """The training loss became ``nan`` or ``inf``.

    Attributes
    ----------
    epoch : int
        The epoch, counted from 1.
    batch : int
        The first batch of that epoch whose loss was not finite, counted from 0.
    """

    def __init__(self, epoch: int, batch: int):
        self.epoch, self.batch = epoch, batch
        super().__init__(
            f"the training loss is not finite at epoch {epoch}, batch {batch} (counted from 0); "
            "the learning rate is probably too high for this network")


def _checks_each_batch(device: torch.device) -> bool:
    """Whether to test each loss on the host at once: on a CPU there is no
    queue of kernels to stall, so that costs nothing; on a GPU it would."""
    return device.type == "cpu"


class EpochSums:
    """The training loss sum, the correct predictions and the first non-finite
    batch of one epoch, kept on the device: adding a batch never waits for it."""

    def __init__(self, device: torch.device):
        accumulate = torch.float32 if device.type == "mps" else torch.float64  # MPS has no float64
        self.host_check = _checks_each_batch(device)
        self.loss = torch.zeros((), dtype=accumulate, device=device)
        self.correct = torch.zeros((), dtype=torch.int64, device=device)
        self.first_bad = torch.full((), NO_BAD_BATCH, dtype=torch.int64, device=device)
        self.examples = 0

    @torch.no_grad()
    def add(self, epoch: int, batch: int, loss: torch.Tensor, y_hat: torch.Tensor, y: torch.Tensor) -> None:
        loss = loss.detach()
        if self.host_check:
            if not torch.isfinite(loss):
                raise NonFiniteLossError(epoch, batch)
        else:
            self.first_bad = torch.minimum(self.first_bad, torch.where(torch.isfinite(loss), NO_BAD_BATCH, batch))
        self.loss += loss.to(self.loss.dtype) * y.shape[0]
        self.correct += (y_hat.argmax(dim=1) == y).sum()
        self.examples += y.shape[0]

    def means(self, run: DistributedRun | None = None) -> tuple[float, float, float]:
        """(mean loss, accuracy, first bad batch) so far: one host sync; over all ranks under ``run``."""
        loss, correct, bad = torch.stack([self.loss.double(), self.correct.double(),
                                          self.first_bad.double()]).tolist()
        examples = self.examples
        if run is not None and run.active:
            loss, correct, examples = run.sum_([loss, correct, examples])
            bad = run.min_(bad)
        return loss / examples, correct / examples, bad
