"""The exercises of chapter 10 (LeNet): every number an answer writes is what the library computes."""

import math

from _exercises import answers, assert_states
from cnnguide import models
from cnnguide.ops import conv_output_size
from cnnguide.summary import summarize


def count(net):
    return sum(p.numel() for p in net.parameters())


def test_five_answered_exercises():
    assert len(answers(10)) == 5


def test_sides_without_padding():
    sides = [28]
    for k, s in ((5, 1), (2, 2), (5, 1), (2, 2)):  # conv, pool, conv, pool
        sides.append(conv_output_size(sides[-1], k, padding=0, stride=s))
    for side in sides:
        assert_states(10, 1, side)
    assert_states(10, 1, 16 * sides[-1] ** 2)


def test_parameter_split():
    rows = summarize(models.create("lenet"), (1, 1, 28, 28)).rows
    conv = [r.parameters for r in rows if r.type == "Conv2d"]
    dense = [r.parameters for r in rows if r.type == "Linear"]
    for value in (*conv, sum(conv), *dense, sum(dense), sum(conv) + sum(dense)):
        assert_states(10, 2, value)
    assert sum(conv) + sum(dense) == count(models.create("lenet"))


def test_steps_of_the_full_recipe():
    batches = math.ceil(60_000 / 256)
    assert_states(10, 3, batches)
    assert_states(10, 3, 10 * batches)


def test_modern_parameter_count():
    classic, modern = count(models.create("lenet")), count(models.create("lenet", variant="modern"))
    assert_states(10, 5, modern)
    assert_states(10, 5, modern - classic)
    assert_states(10, 5, 2 * (modern - classic))
