"""Saved-activation memory is counted exactly, once per storage, without the weights."""

import pytest
import torch
from torch import nn

from cnnguide import models
from cnnguide.memory import saved_activation_bytes, training_step_cost


def test_linear_saves_its_input_only():
    # addmm saves the input and the (transposed view of the) weight; the weight is a parameter.
    net = nn.Linear(7, 3)
    assert saved_activation_bytes(net, torch.zeros(5, 7)) == (5 * 7 * 4, 1)


def test_in_place_relu_shares_the_convolution_output():
    inplace = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(inplace=True), nn.Conv2d(4, 4, 3))
    copied = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Conv2d(4, 4, 3))
    x = torch.zeros(2, 1, 10, 10)
    first_input, relu_output = 2 * 100 * 4, 2 * 4 * 8 * 8 * 4
    # in place: the ReLU's output is also the second convolution's input, one storage
    assert saved_activation_bytes(inplace, x) == (first_input + relu_output, 2)
    assert saved_activation_bytes(copied, x) == (first_input + relu_output, 2)


def test_batch_norm_buffers_are_not_counted():
    net = nn.BatchNorm2d(3).train()
    saved, tensors = saved_activation_bytes(net, torch.zeros(2, 3, 4, 4))
    # the input (96 floats) plus the per-channel mean and inverse std that training mode saves
    assert saved == (2 * 3 * 4 * 4 + 2 * 3) * 4 and tensors == 3


def test_densenet_saves_more_than_resnet_per_parameter():
    dense = models.create("densenet121")
    res = models.create("resnet18")
    x = torch.zeros(2, 1, 32, 32)
    dense_bytes, _ = saved_activation_bytes(dense.train(), x)
    res_bytes, _ = saved_activation_bytes(res.train(), x)
    dense_params = sum(p.numel() for p in dense.parameters())
    res_params = sum(p.numel() for p in res.parameters())
    assert dense_params < res_params and dense_bytes > 2 * res_bytes


def test_training_step_cost_leaves_the_network_as_it_came():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2 * 3 * 3, 2)).eval()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    cost = training_step_cost(net, (4, 1, 5, 5), repeats=2)
    assert not net.training
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    assert all(p.grad is None for p in net.parameters())
    assert cost.batch_size == 4 and cost.seconds > 0 and cost.macs == 162 + 18 * 2
    assert cost.saved_bytes_per_image == cost.saved_bytes / 4


def test_training_step_cost_rejects_bad_arguments():
    with pytest.raises(ValueError, match="four positive integers"):
        training_step_cost(nn.Conv2d(1, 1, 1), (1, 5, 5))
    with pytest.raises(ValueError, match="repeats"):
        training_step_cost(nn.Conv2d(1, 1, 1), (1, 1, 5, 5), repeats=0)
    with pytest.raises(ValueError, match="tensor"):
        saved_activation_bytes(nn.Conv2d(1, 1, 1), [[1.0]])
