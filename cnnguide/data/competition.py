"""A competition's two ends: laying out its folder, and predicting, writing and scoring a submission.

- :func:`write_competition` -- labelled images laid out as a competition hands
  them out (``train/`` and ``test/``), with the answer key it keeps to itself;
- :func:`tta_probabilities` -- class probabilities of a batch, averaged over
  the image and its mirror image (flip test-time augmentation);
- :func:`predict_images` -- the same over a whole ``uint8`` image tensor, in
  batches, with a progress bar on terminals;
- :func:`tta_accuracy` -- accuracy of those predictions on labelled batches;
- :func:`write_submission`, :func:`read_submission` -- the competition's CSV,
  one ``id,label`` row per test image, labels spelled as in the training data;
- :func:`score_submission` -- a submission's accuracy against an answer key,
  as a leaderboard computes it.
"""

from __future__ import annotations

import csv
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch
from torch import nn
from torchvision.transforms.v2 import functional as TF

from ..devices import autocast, batches_on, device_of

__all__ = ["predict_images", "read_submission", "score_submission", "tta_accuracy",
           "tta_probabilities", "write_competition", "write_submission"]


def tta_probabilities(net: nn.Module, X: torch.Tensor, flip: bool = True) -> torch.Tensor:
    """Softmax probabilities of ``net`` on the batch ``X``; with ``flip``, averaged with its mirror image's.

    A left-right mirror image is as plausible a picture as the original (the
    training augmentation flips too), so the network's two opinions are
    averaged. ``net`` is used as it is: put it in evaluation mode first.

    Examples
    --------
    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    >>> X = torch.rand(2, 1, 2, 2)
    >>> p = tta_probabilities(net, X)
    >>> q = (net(X).softmax(1) + net(X.flip(-1)).softmax(1)) / 2
    >>> torch.allclose(p, q), torch.allclose(p.sum(1), torch.ones(2))
    (True, True)
    """
    probabilities = net(X).float().softmax(dim=1)
    if flip:
        probabilities = (probabilities + net(TF.horizontal_flip(X)).float().softmax(dim=1)) / 2
    return probabilities


def _bar(progress, total: int, what: str):
    if progress is None:  # terminals only, as fit's bar: no carriage returns in logs and pages
        progress = sys.stderr.isatty() and not os.environ.get("CI")
    if progress:
        from tqdm.auto import tqdm

        return tqdm(total=total, unit=what, dynamic_ncols=True)
    from tqdm import tqdm  # tqdm.auto would look for notebook widgets even to draw nothing

    return tqdm(total=total, disable=True)


def predict_images(net: nn.Module, images: torch.Tensor, *, batch_size: int = 256, device=None,
                   tta: bool = True, amp=None, progress: bool | None = None) -> torch.Tensor:
    """Class probabilities of every image, ``(N, classes)`` ``float32`` on the CPU.

    Parameters
    ----------
    net : nn.Module
        Put in evaluation mode here.
    images : torch.Tensor
        ``uint8`` of shape ``(N, C, H, W)`` (as :class:`cnnguide.data.folders.FolderImages` holds
        them), scaled to [0, 1] as :class:`cnnguide.data.ImageBatches` does for training.
    tta : bool
        Flip test-time augmentation (:func:`tta_probabilities`).
    amp : None, False or torch.dtype
        Autocast; ``None`` means bf16 on CUDA.
    progress : bool, optional
        A tqdm bar; ``None`` shows it on terminals only.

    Examples
    --------
    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    >>> predict_images(net, torch.zeros(5, 1, 2, 2, dtype=torch.uint8), batch_size=2).shape
    torch.Size([5, 3])
    """
    if images.dtype != torch.uint8 or images.dim() != 4:
        raise ValueError(f"images must be uint8 of shape (N, C, H, W), got {images.dtype} {tuple(images.shape)}")
    device = device_of(net, device)
    net.eval()
    out = []
    with torch.inference_mode(), autocast(device, amp), _bar(progress, len(images), "image") as bar:
        for start in range(0, len(images), batch_size):
            X = images[start:start + batch_size].to(device, non_blocking=True).float().div_(255)
            out.append(tta_probabilities(net, X, flip=tta).cpu())
            bar.update(len(X))
    return torch.cat(out) if out else torch.empty(0, 0)


def tta_accuracy(net: nn.Module, data_iter, *, flip: bool = True, device=None, amp=None) -> float:
    """Accuracy on labelled batches ``(X, y)`` of the predictions of :func:`tta_probabilities`.

    Examples
    --------
    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    >>> batches = [(torch.rand(6, 1, 2, 2), torch.zeros(6, dtype=torch.int64))]
    >>> 0 <= tta_accuracy(net, batches) <= 1
    True
    """
    device = device_of(net, device)
    net.eval()
    correct = torch.zeros((), dtype=torch.int64, device=device)
    total = 0
    with torch.inference_mode(), autocast(device, amp):
        for X, y in batches_on(data_iter, device):
            correct += (tta_probabilities(net, X, flip).argmax(dim=1) == y).sum()
            total += len(y)
    if total == 0:
        raise ValueError("data_iter yielded no examples")
    return int(correct) / total


def write_submission(path, ids, labels, *, header=("id", "label")) -> Path:
    """Write the competition's CSV: the header, then one ``id,label`` row per image, in order.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_submission(f"{folder}/submission.csv", ["1", "2"], ["cat", "dog"])
    ...     print(path.read_text(), end="")
    id,label
    1,cat
    2,dog
    """
    ids, labels = list(ids), list(labels)
    if len(ids) != len(labels):
        raise ValueError(f"{len(ids)} ids but {len(labels)} labels")
    if len(set(ids)) != len(ids):
        raise ValueError("the ids are not unique")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(zip(ids, labels))
    return path


def read_submission(path) -> dict[str, str]:
    """``{id: label}`` from a CSV with the columns ``id`` and ``label``; refuses repeated ids."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"id", "label"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: the header must name the columns id and label, got {reader.fieldnames}")
        rows = {}
        for row in reader:
            if row["id"] in rows:
                raise ValueError(f"{path} line {reader.line_num}: id {row['id']!r} appears twice")
            rows[row["id"]] = row["label"]
    return rows


def score_submission(submission, answers) -> float:
    """Fraction of ids whose label matches the answer key, after checking both cover the same ids.

    ``submission`` and ``answers`` are paths of ``id,label`` CSV files or
    ``{id: label}`` dicts.

    Examples
    --------
    >>> score_submission({"1": "cat", "2": "dog"}, {"1": "cat", "2": "cat"})
    0.5
    >>> score_submission({"1": "cat"}, {"1": "cat", "2": "cat"})
    Traceback (most recent call last):
    ...
    ValueError: the submission lacks 1 id(s) of the answer key, e.g. '2'
    """
    sub = submission if isinstance(submission, dict) else read_submission(submission)
    key = answers if isinstance(answers, dict) else read_submission(answers)
    missing, extra = sorted(set(key) - set(sub)), sorted(set(sub) - set(key))
    if missing:
        raise ValueError(f"the submission lacks {len(missing)} id(s) of the answer key, e.g. {missing[0]!r}")
    if extra:
        raise ValueError(f"the submission has {len(extra)} id(s) not in the answer key, e.g. {extra[0]!r}")
    if not key:
        raise ValueError("the answer key is empty")
    return sum(sub[i] == key[i] for i in key) / len(key)


def _save_png(image: torch.Tensor, path: Path) -> None:
    from PIL import Image

    array = image.cpu().numpy()
    Image.fromarray(array if array.ndim == 2 else array[0] if array.shape[0] == 1
                    else array.transpose(1, 2, 0)).save(path)


def write_competition(root, train, test, classes, *, layout: str = "class folders",
                      workers: int = 4) -> Path:
    """Lay labelled images out as a competition does; return the path of the answer key.

    Writes ``root/train/`` (one folder per class, or the files flat with
    ``root/train.csv`` for ``layout="csv"``), ``root/test/<id>.png``, and the
    answer key ``root/answers.csv`` (``id,label``), which a competition keeps
    to itself and scores submissions with (:func:`score_submission`).
    :func:`cnnguide.data.folders.read_folders` reads the folder back.

    Parameters
    ----------
    root : path-like
    train, test : (images, labels)
        ``uint8`` images ``(N, H, W)`` or ``(N, C, H, W)`` and their class indices.
    classes : sequence of str
        The name of each class index (folder names, CSV labels).

    Examples
    --------
    >>> import tempfile
    >>> from cnnguide.data.folders import read_folders
    >>> images, labels = torch.zeros(4, 5, 5, dtype=torch.uint8), torch.tensor([0, 1, 0, 1])
    >>> with tempfile.TemporaryDirectory() as root:
    ...     key = write_competition(root, (images, labels), (images[:2], labels[:2]), ["a", "b"])
    ...     data = read_folders(root)
    ...     answers = key.read_text().split()
    >>> data.train, data.test.ids, answers
    (FolderImages(4 images of 1x5x5, 2 classes), ('0', '1'), ['id,label', '0,a', '1,b'])
    """
    if layout not in ("class folders", "csv"):
        raise ValueError(f"layout must be 'class folders' or 'csv', got {layout!r}")
    root = Path(root)
    (train_images, train_labels), (test_images, test_labels) = train, test
    train_names = [classes[c] for c in train_labels.tolist()]
    jobs = [(image, (root / "train" / name if layout == "class folders" else root / "train") / f"{i}.png")
            for i, (image, name) in enumerate(zip(train_images, train_names))]
    jobs += [(image, root / "test" / f"{i}.png") for i, image in enumerate(test_images)]
    for folder in {path.parent for _, path in jobs}:
        folder.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(workers) as pool:  # Pillow encodes without holding the GIL
        list(pool.map(lambda job: _save_png(*job), jobs))
    if layout == "csv":
        write_submission(root / "train.csv", map(str, range(len(train_names))), train_names)
    return write_submission(root / "answers.csv", map(str, range(len(test_labels))),
                            [classes[c] for c in test_labels.tolist()])
