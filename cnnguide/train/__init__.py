"""Training and evaluating classifiers: a fast version of d2l's ``train_ch6``.

- :mod:`~cnnguide.train.loop` -- :func:`fit`, :func:`evaluate_accuracy`;
- :mod:`~cnnguide.train.history` -- :class:`History`, the per-epoch record (and points within
  epochs), saved as JSON or CSV;
- :mod:`~cnnguide.train.callbacks` -- what ``fit`` calls around its loop: :class:`Callback`,
  :class:`PrintEpochs`, :class:`SaveCheckpoint`;
- :mod:`~cnnguide.train.checkpoint` -- pickle-free checkpoints (safetensors + JSON) for resuming;
- :mod:`~cnnguide.train.blog_loop` -- the blog's own loop (d2l's ``train_ch6``), kept as the baseline
  that benchmarks and tests measure :func:`fit` against.

Typical use::

    from cnnguide import data, models, train
    train_iter, test_iter = data.load_fashion_mnist(batch_size=256)
    history = train.fit(models.create("lenet"), train_iter, test_iter, num_epochs=10, lr=0.9,
                        callbacks=[train.PrintEpochs()])
    history.save_json("lenet.json", model="lenet")

:func:`try_gpu` is :func:`cnnguide.devices.try_gpu`, re-exported here. This
package draws nothing: the live plot is :class:`cnnguide.figures.LivePlot`.
"""

from ..devices import try_gpu
from .callbacks import Callback, PrintEpochs, SaveCheckpoint
from .checkpoint import load_checkpoint, save_checkpoint
from .history import History, run_metadata
from .loop import NonFiniteLossError, evaluate_accuracy, fit

__all__ = [
    "Callback",
    "History",
    "NonFiniteLossError",
    "PrintEpochs",
    "SaveCheckpoint",
    "evaluate_accuracy",
    "fit",
    "load_checkpoint",
    "run_metadata",
    "save_checkpoint",
    "try_gpu",
]
