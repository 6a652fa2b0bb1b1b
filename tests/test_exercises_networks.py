"""The exercises of chapters 11-15: every number an answer writes is what the library computes.

Each test computes the answer with :mod:`cnnguide` (or torch) and checks that
the chapter's hidden answer states it (see ``tests/_exercises.py``). Answers
that make a claim rather than give a number have the claim checked instead.
Large networks are built on the meta device, where counting costs no memory.
"""

import math

import pytest
import torch
from torch import nn

from _exercises import answers, assert_states
from cnnguide import models
from cnnguide.models.googlenet import Inception, conv_relu
from cnnguide.models.resnet import BasicBlock, Bottleneck
from cnnguide.ops import BatchNorm, conv_param_count, receptive_field
from cnnguide.summary import summarize

NETWORK_CHAPTERS = range(11, 16)


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _meta(name: str, **options) -> nn.Module:
    with torch.device("meta"):
        return models.create(name, **options)


@pytest.mark.parametrize("chapter", NETWORK_CHAPTERS)
def test_every_chapter_has_three_to_five_answered_exercises(chapter):
    assert 3 <= len(answers(chapter)) <= 5
    for text in answers(chapter):
        assert "```" not in text, "no code blocks inside an answer"


# Chapter 11: VGG ------------------------------------------------------------


def test_ch11_four_3x3_against_one_9x9():
    assert receptive_field([(3, 1)] * 4) == receptive_field([(9, 1)]) == 9
    stack = 4 * conv_param_count(512, 512, 3, bias=False)
    single = conv_param_count(512, 512, 9, bias=False)
    assert_states(11, 1, 9)
    assert_states(11, 1, stack)
    assert_states(11, 1, single)
    assert_states(11, 1, round(100 * (1 - stack / single)))


def test_ch11_vgg16_convolution_parameters():
    net = _meta("vgg16", num_classes=1000, in_channels=3)
    conv = sum(_count(m) for m in net.modules() if isinstance(m, nn.Conv2d))
    assert_states(11, 2, conv)
    assert_states(11, 2, _count(net))
    assert_states(11, 2, 100 * conv / _count(net), "{:.1f}")
    assert_states(11, 2, round(100 * (1 - conv / _count(net))))


def test_ch11_vgg11_first_linear_layer():
    net = _meta("vgg11", num_classes=1000, in_channels=3)
    first = net.classifier[0]
    assert first.in_features == 512 * 7 * 7
    assert_states(11, 3, first.in_features)
    assert_states(11, 3, _count(first))
    assert_states(11, 3, _count(net))
    assert_states(11, 3, 100 * _count(first) / _count(net), "{:.1f}")


def test_ch11_quarter_width_vgg11_at_96():
    net = models.create("vgg11", num_classes=10, in_channels=1, width_multiplier=0.25)
    by_size = {}
    for size in (224, 96):
        s = summarize(net, (1, 1, size, size))
        conv = sum(r.flops for r in s.rows if r.type == "Conv2d")
        linear = sum(r.flops for r in s.rows if r.type == "Linear")
        by_size[size] = (conv, linear, s.flops)
    (conv224, linear224, _), (conv96, linear96, total96) = by_size[224], by_size[96]
    assert linear96 == linear224
    assert conv224 / conv96 == pytest.approx((224 / 96) ** 2)
    assert_states(11, 4, conv224 / conv96, "{:.2f}")
    assert_states(11, 4, linear96)
    assert_states(11, 4, total96)
    assert round(3 * linear96 / total96) == 1  # "a third of them in the classifier"


# Chapter 12: batch normalization --------------------------------------------


def test_ch12_parameters_and_buffers():
    bn = nn.BatchNorm2d(64)
    buffers = bn.running_mean.numel() + bn.running_var.numel()
    with_bias, without = conv_param_count(64, 64, 3), conv_param_count(64, 64, 3, bias=False)
    for value in (_count(bn), buffers, with_bias, without, with_bias - without):
        assert_states(12, 1, value)
    assert _count(bn) - (with_bias - without) == 64
    assert _count(BatchNorm(64, num_dims=4)) == _count(bn)


def test_ch12_folded_affine_map():
    m, v, gamma, beta, eps = 3.0, 4.0, 2.0, 1.0, 1e-5
    a = gamma / math.sqrt(v + eps)
    b = beta - a * m
    assert_states(12, 2, a, "{:.3f}")
    assert_states(12, 2, a, "{:.7f}")
    assert_states(12, 2, b, "{:.3f}")
    # The layer in evaluation mode is that affine map.
    bn = BatchNorm(1, num_dims=2, eps=eps).eval()
    with torch.no_grad():
        bn.running_mean.fill_(m), bn.running_var.fill_(v)
        bn.weight.fill_(gamma), bn.bias.fill_(beta)
        x = torch.tensor([[-1.0], [0.0], [5.0]])
        assert torch.allclose(bn(x), a * x + b)


def test_ch12_unbiased_variance_factor():
    for n in (16, 16 * 10 * 10):
        assert_states(12, 3, n / (n - 1), "{:.4f}")
        X = torch.randn(n, 1, dtype=torch.float64)
        assert X.var(unbiased=True) / X.var(unbiased=False) == pytest.approx(n / (n - 1))
    assert_states(12, 3, 16 * 10 * 10)


def test_ch12_running_mean_reaches_ninety_percent():
    t = next(t for t in range(1, 100) if 1 - 0.9**t >= 0.9)
    assert_states(12, 4, t)
    assert_states(12, 4, 1 - 0.9 ** (t - 1), "{:.3f}")
    assert_states(12, 4, 1 - 0.9**t, "{:.3f}")
    # ... and that is what the layer's running mean does.
    bn = BatchNorm(1, num_dims=2)
    for _ in range(t):
        bn(torch.tensor([[4.0], [6.0]]))  # mean 5 in every batch
    assert bn.running_mean.item() == pytest.approx(5 * (1 - 0.9**t))


# Chapter 13: ResNet ---------------------------------------------------------


def test_ch13_downsampling_block():
    block = BasicBlock(128, 256, stride=2)
    branch = conv_param_count(128, 256, 3, bias=False) + conv_param_count(256, 256, 3, bias=False)
    projection = _count(block.shortcut)
    assert_states(13, 1, _count(block))
    assert_states(13, 1, branch)
    assert_states(13, 1, projection)
    assert_states(13, 1, block.shortcut[0].weight.numel())
    assert projection / _count(block) < 0.04


def _weight_layers_on_longest_path(net: nn.Module) -> int:
    convs = [name for name, m in net.named_modules()
             if isinstance(m, nn.Conv2d) and ".shortcut" not in name]
    return len(convs) + sum(isinstance(m, nn.Linear) for m in net.modules())


def test_ch13_layer_counts():
    for name, depth, projections in (("resnet34", 34, 3), ("resnet50", 50, 4)):
        net = _meta(name, num_classes=1000, in_channels=3)
        assert _weight_layers_on_longest_path(net) == depth
        shortcuts = [m for m in net.modules() if isinstance(m, (BasicBlock, Bottleneck))
                     and not isinstance(m.shortcut, nn.Identity)]
        assert len(shortcuts) == projections
        assert_states(13, 2, depth)
        assert_states(13, 2, projections)


def test_ch13_zero_init_residual_blocks_start_as_the_identity():
    net = models.create("resnet18", zero_init_residual=True)
    x = torch.relu(torch.randn(2, 64, 8, 8))
    for mode in (True, False):
        net.train(mode)
        with torch.no_grad():
            assert (net.layer1[0](x) - x).abs().max().item() == 0
    assert_states(13, 3, 0)


def test_ch13_resnet34_macs_and_flops():
    s = summarize(_meta("resnet34", num_classes=1000, in_channels=3), (1, 3, 224, 224),
                  device="meta")
    assert s.flops == 2 * s.macs
    assert_states(13, 4, s.macs)
    assert_states(13, 4, s.macs / 1e9, "{:.2f}")
    assert_states(13, 4, s.flops / 1e9, "{:.2f}")


# Chapter 14: GoogLeNet ------------------------------------------------------


def test_ch14_block_3b():
    block = Inception(256, 128, (128, 192), (32, 96), 64)
    assert block(torch.zeros(1, 256, 4, 4)).shape[1] == block.out_channels
    assert_states(14, 1, block.out_channels)
    assert_states(14, 1, _count(block))
    assert models.create("googlenet").inception3b.out_channels == block.out_channels


def test_ch14_block_5b_reduction():
    reduced = conv_param_count(832, 48, 1) + conv_param_count(48, 128, 5)
    direct = conv_param_count(832, 128, 5)
    net = models.create("googlenet")
    assert reduced == _count(net.inception5b.branch3)
    assert direct == _count(conv_relu(832, 128, kernel_size=5, padding=2))
    for value in (conv_param_count(832, 48, 1), conv_param_count(48, 128, 5), reduced, direct):
        assert_states(14, 2, value)
    assert_states(14, 2, direct / reduced, "{:.1f}")


def test_ch14_classifier_against_vgg16():
    googlenet = _meta("googlenet", num_classes=1000, in_channels=3)
    vgg16 = _meta("vgg16", num_classes=1000, in_channels=3)
    ours, theirs = _count(googlenet.fc), _count(vgg16.classifier)
    assert_states(14, 3, ours)
    assert_states(14, 3, theirs)
    assert_states(14, 3, theirs / ours, "{:.0f}")
    assert_states(14, 3, googlenet.fc.in_features)


def test_ch14_macs_at_imagenet_size():
    s = summarize(_meta("googlenet", num_classes=1000, in_channels=3), (1, 3, 224, 224),
                  device="meta")
    assert_states(14, 4, s.macs)
    assert_states(14, 4, s.macs / 1e9, "{:.2f}")
    assert_states(14, 4, s.flops / 1e9, "{:.2f}")
    assert abs(s.macs / 1e9 - 1.5) < 0.1  # the paper's budget is a round figure for the MACs


# Chapter 15: DenseNet -------------------------------------------------------


def test_ch15_channels_of_densenet121():
    net = _meta("densenet121", num_classes=1000, in_channels=3)
    features = dict(net.features.named_children())
    for i in range(1, 5):
        assert_states(15, 1, features[f"denseblock{i}"].out_channels)
        if i < 4:
            assert_states(15, 1, features[f"transition{i}"].conv.out_channels)
    assert_states(15, 1, net.classifier.in_features)


def test_ch15_last_layer_of_block_one():
    from cnnguide.models.densenet import DenseLayer

    net = models.create("densenet121")
    layer = net.features.denseblock1.denselayer6
    assert layer.norm1.num_features == 64 + 5 * 32
    assert _count(layer) == _count(DenseLayer(224, 32))
    assert_states(15, 2, layer.norm1.num_features)
    assert_states(15, 2, _count(layer))
    for part in (layer.norm1, layer.conv1, layer.norm2, layer.conv2):
        assert_states(15, 2, _count(part))


def test_ch15_where_121_comes_from():
    net = _meta("densenet121", num_classes=1000, in_channels=3)
    convs = sum(isinstance(m, nn.Conv2d) for m in net.modules())
    linears = sum(isinstance(m, nn.Linear) for m in net.modules())
    assert convs + linears == 121
    assert_states(15, 3, convs)
    assert_states(15, 3, linears)
    assert_states(15, 3, sum((6, 12, 24, 16)))


def _saved_norm_inputs(num_layers: int) -> tuple[int, int]:
    from cnnguide.models.densenet import DenseBlock

    block = DenseBlock(num_layers, 64, growth_rate=32, bn_size=None)
    sizes = []
    hooks = [layer.norm.register_forward_hook(lambda m, i, o: sizes.append(i[0].numel()))
             for layer in block.children()]
    with torch.no_grad():
        out = block(torch.zeros(1, 64, 24, 24))
    for hook in hooks:
        hook.remove()
    return sum(sizes), out.numel()


def test_ch15_saved_inputs_grow_quadratically():
    for layers in (4, 16):
        saved, output = _saved_norm_inputs(layers)
        assert_states(15, 4, saved)
        assert_states(15, 4, output)
        assert_states(15, 4, saved / output, "{:.2f}")
        assert_states(15, 4, saved // (24 * 24))
