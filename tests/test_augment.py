"""BatchAugment: each image exactly as torchvision's v2 functional ops make it with its parameters."""

import pytest
import torch
from torchvision.transforms.v2 import functional as TF

from cnnguide.train.augment import BatchAugment


@pytest.mark.parametrize("padding_mode", ["constant", "reflect"])
def test_each_image_matches_torchvision(padding_mode):
    torch.manual_seed(0)
    augment = BatchAugment(padding=3, flip=True, erasing=0.7, fill=0.25, padding_mode=padding_mode)
    X = torch.rand(64, 2, 12, 10)
    params = augment.sample(X)
    out = augment.apply(X, params)
    for b in range(len(X)):
        image = TF.pad(X[b], [3, 3, 3, 3], fill=0.25, padding_mode=padding_mode)
        image = TF.crop(image, int(params["top"][b]), int(params["left"][b]), 12, 10)
        if params["flip"][b]:
            image = TF.horizontal_flip(image)
        i, j, h, w = params["erase"][b].tolist()
        if h:
            image = TF.erase(image, i, j, h, w, torch.tensor(0.25))
        torch.testing.assert_close(out[b], image, rtol=0, atol=0)


def test_parameters_cover_their_ranges():
    torch.manual_seed(1)
    augment = BatchAugment(padding=2, flip=True, erasing=0.5)
    params = augment.sample(torch.zeros(4000, 1, 28, 28))
    assert set(params["top"].tolist()) == set(range(5)) == set(params["left"].tolist())
    assert abs(params["flip"].float().mean() - 0.5) < 0.03
    i, j, h, w = params["erase"].T
    erased = h > 0
    assert abs(erased.float().mean() - 0.5) < 0.03
    assert ((i + h <= 28) & (j + w <= 28)).all()
    area = (h * w)[erased].float() / 28 ** 2  # v2.RandomErasing's scale (0.02, 0.33), rounded sides
    assert area.min() > 0.01 and area.max() < 0.36


def test_switched_off_pieces_leave_images_alone():
    X = torch.rand(8, 1, 6, 6)
    assert BatchAugment(padding=0, flip=False, erasing=0).is_identity
    assert torch.equal(BatchAugment(padding=0, flip=False)(X), X)
    flipped_only = BatchAugment(padding=0, flip=True)(X)
    for a, b in zip(flipped_only, X):
        assert torch.equal(a, b) or torch.equal(a, b.flip(-1))


def test_bad_settings_rejected():
    with pytest.raises(ValueError, match="padding must be a non-negative integer"):
        BatchAugment(padding=-1)
    with pytest.raises(ValueError, match="erasing must be a probability"):
        BatchAugment(erasing=2)
    with pytest.raises(ValueError, match="padding_mode"):
        BatchAugment(padding_mode="wrap")
    with pytest.raises(ValueError, match=r"\(B, C, H, W\)"):
        BatchAugment()(torch.zeros(3, 4, 4))
