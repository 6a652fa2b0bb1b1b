"""The exercises of chapter 16 (a competition baseline): each number an answer writes is computed here."""

import math

import torch
from torch import nn

from _exercises import answers, assert_states
from cnnguide.recipes import BASELINE


def test_four_answered_exercises():
    assert len(answers(16)) == 4


def test_steps_and_ema_decay_of_the_gpu_run():
    batches = math.ceil(54_000 / BASELINE.batch_size)
    steps = BASELINE.epochs * batches
    assert_states(16, 1, batches)
    assert_states(16, 1, steps)
    assert_states(16, 1, round(BASELINE.ema * steps))
    assert_states(16, 1, BASELINE.ema_decay(steps), "{:.5f}")


def test_label_smoothing_floor_is_the_target_entropy():
    eps, k = BASELINE.label_smoothing, 10
    target = torch.full((1, k), eps / k, dtype=torch.float64)
    target[0, 0] += 1 - eps
    # The loss of a prediction equal to the target: torch's smoothed loss at logits = log(target).
    floor = nn.CrossEntropyLoss(label_smoothing=eps)(target.log(), torch.tensor([0])).item()
    assert abs(floor - (-(target * target.log()).sum()).item()) < 1e-12
    assert_states(16, 2, floor, "{:.3f}")
    assert_states(16, 2, 1 - eps + eps / k, "{:.2f}")
    assert_states(16, 2, eps / k, "{:.2f}")


def test_number_of_augmented_pictures():
    augment = BASELINE.augmentation(28)
    params = augment.sample(torch.zeros(20_000, 1, 28, 28))
    crops = {(t, l) for t, l in zip(params["top"].tolist(), params["left"].tolist())}
    assert_states(16, 3, augment.padding)
    assert_states(16, 3, 2 * augment.padding + 1)
    assert_states(16, 3, len(crops))
    assert_states(16, 3, 2 * len(crops))
