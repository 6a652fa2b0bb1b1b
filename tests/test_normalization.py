"""cnnguide.ops.batch_norm and BatchNorm against nn.BatchNorm1d/2d: outputs, running statistics, gradients."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from cnnguide.ops import BatchNorm, batch_norm

TOL = {"atol": 1e-10, "rtol": 1e-8}  # float64 throughout: only the order of summation differs


@st.composite
def batches(draw, num_dims=None):
    """A float64 input of shape (N, C) or (N, C, H, W) with at least two values per channel."""
    num_dims = draw(st.sampled_from((2, 4))) if num_dims is None else num_dims
    c = draw(st.integers(1, 5))
    if num_dims == 2:
        shape = (draw(st.integers(2, 9)), c)
    else:
        n, h, w = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
        if n * h * w < 2:
            n = 2
        shape = (n, c, h, w)
    seed = draw(st.integers(0, 2**31 - 1))
    scale = draw(st.sampled_from((0.1, 1.0, 30.0)))
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(shape, generator=g, dtype=torch.float64) * scale + torch.randn(1, dtype=torch.float64, generator=g) * scale
    return X, seed


def reference_for(X: torch.Tensor, momentum=0.1) -> nn.Module:
    cls = nn.BatchNorm1d if X.dim() == 2 else nn.BatchNorm2d
    return cls(X.shape[1], momentum=momentum).double()


def paired(X, seed, momentum=0.1):
    """Our BatchNorm and torch's, with the same random gamma and beta."""
    ref = reference_for(X, momentum)
    ours = BatchNorm(X.shape[1], num_dims=X.dim(), momentum=momentum).double()
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        ref.weight.copy_(torch.rand(X.shape[1], generator=g, dtype=torch.float64) + 0.5)
        ref.bias.copy_(torch.randn(X.shape[1], generator=g, dtype=torch.float64))
    ours.load_state_dict(ref.state_dict())
    return ours, ref


def assert_state_equal(ours: BatchNorm, ref: nn.Module) -> None:
    torch.testing.assert_close(ours.running_mean, ref.running_mean, **TOL)
    torch.testing.assert_close(ours.running_var, ref.running_var, **TOL)
    assert int(ours.num_batches_tracked) == int(ref.num_batches_tracked)


@given(batches(), st.sampled_from((0.1, 0.5, 1.0, 0.0, None)))
def test_training_mode_matches_torch(batch, momentum):
    X, seed = batch
    ours, ref = paired(X, seed, momentum)
    # Three steps on different batches, so the running statistics compound.
    for step in range(3):
        Xs = X * (1 + step) + step
        X1, X2 = Xs.clone().requires_grad_(), Xs.clone().requires_grad_()
        out1, out2 = ours(X1), ref(X2)
        torch.testing.assert_close(out1, out2, **TOL)
        assert_state_equal(ours, ref)
        upstream = torch.randn(out1.shape, generator=torch.Generator().manual_seed(seed + step),
                               dtype=torch.float64)
        (out1 * upstream).sum().backward()
        (out2 * upstream).sum().backward()
        torch.testing.assert_close(X1.grad, X2.grad, atol=1e-8, rtol=1e-6)
    torch.testing.assert_close(ours.weight.grad, ref.weight.grad, atol=1e-8, rtol=1e-6)
    torch.testing.assert_close(ours.bias.grad, ref.bias.grad, atol=1e-8, rtol=1e-6)


@given(batches())
def test_eval_mode_uses_running_statistics(batch):
    X, seed = batch
    ours, ref = paired(X, seed)
    ours(X * 2 + 1), ref(X * 2 + 1)  # one training step moves the running statistics
    ours.eval(), ref.eval()
    X1, X2 = X.clone().requires_grad_(), X.clone().requires_grad_()
    out1, out2 = ours(X1), ref(X2)
    torch.testing.assert_close(out1, out2, **TOL)
    out1.sum().backward(), out2.sum().backward()
    torch.testing.assert_close(X1.grad, X2.grad, **TOL)
    torch.testing.assert_close(ours.weight.grad, ref.weight.grad, **TOL)
    assert_state_equal(ours, ref)  # unchanged by evaluation
    assert int(ours.num_batches_tracked) == 1


@given(batches())
def test_function_leaves_its_arguments_alone(batch):
    X, _ = batch
    c = X.shape[1]
    mean, var = torch.zeros(c, dtype=X.dtype), torch.ones(c, dtype=X.dtype)
    Y, new_mean, new_var = batch_norm(X, torch.ones(c, dtype=X.dtype), torch.zeros(c, dtype=X.dtype),
                                      mean, var, 1e-5, 0.1, training=True)
    assert torch.equal(mean, torch.zeros(c, dtype=X.dtype)) and torch.equal(var, torch.ones(c, dtype=X.dtype))
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    torch.testing.assert_close(new_mean, 0.1 * X.mean(dim=dims), **TOL)
    torch.testing.assert_close(new_var, 0.9 + 0.1 * X.var(dim=dims, unbiased=True), **TOL)
    # With the batch's own statistics, every feature has mean 0 (and variance 1 unless it is constant).
    torch.testing.assert_close(Y.mean(dim=dims), torch.zeros(c, dtype=X.dtype), atol=1e-9, rtol=0)


def test_functional_form_matches_torch_functional():
    torch.manual_seed(0)
    X = torch.randn(6, 3, 4, 5)
    gamma, beta = torch.rand(3), torch.randn(3)
    rm, rv = torch.randn(3), torch.rand(3) + 0.5
    ref_mean, ref_var = rm.clone(), rv.clone()
    expected = nn.functional.batch_norm(X, ref_mean, ref_var, gamma, beta, training=True, momentum=0.3, eps=1e-3)
    Y, mean, var = batch_norm(X, gamma, beta, rm, rv, 1e-3, 0.3, training=True)
    torch.testing.assert_close(Y, expected)
    torch.testing.assert_close(mean, ref_mean)
    torch.testing.assert_close(var, ref_var)


def test_half_precision_input_keeps_its_dtype_and_float32_statistics():
    torch.manual_seed(0)
    X = torch.randn(64, 4, 3, 3) * 3 + 100
    bn, ref = BatchNorm(4, 4), nn.BatchNorm2d(4)
    out = bn(X.to(torch.bfloat16))
    assert out.dtype == torch.bfloat16 and bn.running_mean.dtype == torch.float32
    torch.testing.assert_close(out.float(), ref(X), atol=0.1, rtol=0.05)
    torch.testing.assert_close(bn.running_mean, ref.running_mean, atol=0.1, rtol=0.01)


def test_state_dict_swaps_with_torch_and_reset_restores_identity():
    ours, ref = BatchNorm(3, 4), nn.BatchNorm2d(3)
    ours(torch.randn(4, 3, 2, 2) * 5)
    ref.load_state_dict(ours.state_dict())
    assert_state_equal(ours, ref)
    ours.reset_parameters()
    assert torch.equal(ours.running_mean, torch.zeros(3)) and torch.equal(ours.running_var, torch.ones(3))
    assert torch.equal(ours.weight.data, torch.ones(3)) and int(ours.num_batches_tracked) == 0


def test_modes_differ_on_one_batch():
    """Training output standardises the batch; evaluation output (fresh stats 0/1) is nearly the input."""
    torch.manual_seed(0)
    X = torch.randn(16, 2) * 4 + 3
    bn = BatchNorm(2, 2)
    train_out = bn(X)
    bn.eval()
    eval_out = bn(X)
    assert train_out.mean(0).abs().max() < 1e-5
    # running stats after one batch: 0.1 * mean and 0.9 + 0.1 * var, so eval output is far from standardised
    assert (eval_out.mean(0) - train_out.mean(0)).abs().min() > 1


BAD_CALLS = [
    (lambda: batch_norm(torch.zeros(4, 3, 5), *[torch.ones(3)] * 4, 1e-5, 0.1, True), "must be 2-D or 4-D"),
    (lambda: batch_norm(torch.zeros(4, 3, dtype=torch.long), *[torch.ones(3)] * 4, 1e-5, 0.1, True),
     "floating-point"),
    (lambda: batch_norm(torch.zeros(4, 3), torch.ones(3, 1), *[torch.ones(3)] * 3, 1e-5, 0.1, True),
     r"gamma must have shape \(3,\)"),
    (lambda: batch_norm(torch.zeros(4, 3, 2, 2), *[torch.ones(3)] * 3, torch.ones(2), 1e-5, 0.1, True),
     r"moving_var must have shape \(3,\)"),
    (lambda: batch_norm(torch.zeros(4, 3), *[torch.ones(3)] * 4, 0.0, 0.1, True), "eps must be a positive"),
    (lambda: batch_norm(torch.zeros(4, 3), *[torch.ones(3)] * 4, 1e-5, 1.5, True), r"momentum must be .* \[0, 1\]"),
    (lambda: batch_norm(torch.zeros(4, 3), *[torch.ones(3)] * 4, 1e-5, 0.1, "yes"), "training must be"),
    (lambda: batch_norm(torch.zeros(1, 3), *[torch.ones(3)] * 4, 1e-5, 0.1, True), "more than one value"),
    (lambda: batch_norm(torch.zeros(1, 3, 1, 1), *[torch.ones(3)] * 4, 1e-5, 0.1, True), "more than one value"),
    (lambda: BatchNorm(3, num_dims=3), "num_dims must be 2"),
    (lambda: BatchNorm(0, num_dims=2), "num_features must be a positive"),
    (lambda: BatchNorm(3, num_dims=2, momentum=-0.1), "momentum must be None"),
    (lambda: BatchNorm(3, num_dims=2)(torch.zeros(4, 3, 2, 2)), r"expects a 2-D input, got shape \(4, 3, 2, 2\)"),
    (lambda: BatchNorm(3, num_dims=4)(torch.zeros(4, 5, 2, 2)), r"BatchNorm\(3\) expects 3 features in dimension 1, got shape \(4, 5, 2, 2\)"),
]


@pytest.mark.parametrize("call,message", BAD_CALLS)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_rejected_batch_leaves_the_statistics_alone():
    bn = BatchNorm(3, num_dims=2)
    with pytest.raises(ValueError):
        bn(torch.zeros(1, 3))
    assert int(bn.num_batches_tracked) == 0 and torch.equal(bn.running_var, torch.ones(3))


def test_single_example_is_fine_in_eval_mode():
    bn = BatchNorm(3, num_dims=4).eval()
    X = torch.randn(1, 3, 1, 1)
    torch.testing.assert_close(bn(X), nn.BatchNorm2d(3).eval()(X))
