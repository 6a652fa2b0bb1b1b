"""Training and evaluating classifiers: a fast version of d2l's ``train_ch6``.

- :mod:`~cnnguide.train.loop` -- :func:`fit`, :func:`evaluate_accuracy`, :func:`try_gpu`;
- :mod:`~cnnguide.train.history` -- :class:`History`, the per-epoch record, saved as JSON or CSV;
- :mod:`~cnnguide.train.checkpoint` -- pickle-free checkpoints (safetensors + JSON) for resuming;
- :mod:`~cnnguide.train.blog_loop` -- the blog's own loop (d2l's ``train_ch6``), kept as the baseline
  that benchmarks and tests measure :func:`fit` against.

Typical use::

    from cnnguide import data, models, train
    train_iter, test_iter = data.load_fashion_mnist(batch_size=256)
    history = train.fit(models.create("lenet"), train_iter, test_iter, num_epochs=10, lr=0.9)
    history.save_json("lenet.json", model="lenet")
"""

from .checkpoint import load_checkpoint, save_checkpoint
from .history import History, run_metadata
from .loop import NonFiniteLossError, evaluate_accuracy, fit, try_gpu

__all__ = [
    "History",
    "NonFiniteLossError",
    "evaluate_accuracy",
    "fit",
    "load_checkpoint",
    "run_metadata",
    "save_checkpoint",
    "try_gpu",
]
