"""The VGG, ResNet, GoogLeNet and DenseNet families: shapes, parameter counts, parity with torchvision.

Parameter counts and ImageNet-size shapes are computed on the ``meta`` device
(no memory, no arithmetic), so the big networks cost next to nothing here;
real forward passes use the small Fashion-MNIST configurations and 64×64
inputs for the torchvision logit comparisons.
"""

import pytest
import torch
import torchvision
from torch import nn

from cnnguide.models import create, names
from cnnguide.models.densenet import DenseBlock, DenseLayer, Transition
from cnnguide.models.googlenet import GoogLeNet, GoogLeNetOutputs, Inception
from cnnguide.models.resnet import BasicBlock, Bottleneck
from cnnguide.models.torchvision_weights import from_torchvision, rename_torchvision_keys
from cnnguide.models.vgg import vgg_block

FAMILY_NAMES = ["vgg11", "vgg13", "vgg16", "vgg19", "resnet18", "resnet34", "resnet50",
                "googlenet", "densenet121", "densenet_small"]

# torchvision's documented parameter counts (the `num_params` of each weights enum).
TORCHVISION_PARAMS = {
    "vgg11": 132_863_336,
    "vgg13": 133_047_848,
    "vgg16": 138_357_544,
    "vgg19": 143_667_240,
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
    "resnet50": 25_557_032,
    "densenet121": 7_978_856,
}


def count(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def test_all_names_registered():
    assert set(FAMILY_NAMES) <= set(names())


@pytest.mark.parametrize("name", sorted(TORCHVISION_PARAMS))
def test_imagenet_parameter_count_equals_torchvision(name):
    with torch.device("meta"):
        ours = create(name, num_classes=1000, in_channels=3)
        theirs = getattr(torchvision.models, name)(weights=None)
    assert count(ours) == count(theirs) == TORCHVISION_PARAMS[name]


def test_googlenet_parameter_count_differs_from_torchvision_as_documented():
    with torch.device("meta"):
        ours = create("googlenet", num_classes=1000, in_channels=3)
        theirs = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False)
    five_by_five = sum(m.weight.numel() for m in ours.modules()
                       if isinstance(m, nn.Conv2d) and m.kernel_size == (5, 5))
    extra_for_5x5 = five_by_five - five_by_five * 9 // 25
    conv_biases = sum(m.bias.numel() for m in ours.modules() if isinstance(m, nn.Conv2d))
    their_bn = sum(count(m) for m in theirs.modules() if isinstance(m, nn.BatchNorm2d))
    assert not any(isinstance(m, nn.BatchNorm2d) for m in ours.modules())
    assert count(ours) == count(theirs) + extra_for_5x5 + conv_biases - their_bn
    assert (count(ours), count(theirs), extra_for_5x5, conv_biases, their_bn) == (
        6_998_552, 6_624_904, 380_928, 7_280, 14_560)  # the numbers googlenet.py's docstring quotes


@pytest.mark.parametrize("device, in_channels, size, spatial", [
    ("meta", 3, 224, [28, 28, 14, 14, 14, 14, 14, 7, 7]),
    ("cpu", 1, 96, [12, 12, 6, 6, 6, 6, 6, 3, 3]),
])
def test_googlenet_inception_outputs_follow_table_1(device, in_channels, size, spatial):
    with torch.device(device):
        net = GoogLeNet(num_classes=10, in_channels=in_channels).eval()
        shapes = []
        for block in net.inception_blocks():
            block.register_forward_hook(lambda module, args, out: shapes.append(tuple(out.shape[1:])))
        net(torch.zeros(1, in_channels, size, size))
    channels = [256, 480, 512, 512, 512, 528, 832, 832, 1024]
    assert shapes == [(c, s, s) for c, s in zip(channels, spatial)]
    kernels = {m.kernel_size for block in net.inception_blocks() for m in block.branch3.modules()
               if isinstance(m, nn.Conv2d)}
    assert kernels == {(1, 1), (5, 5)}


def test_googlenet_aux_logits_only_in_training():
    net = create("googlenet", num_classes=7, in_channels=1, aux_logits=True, dropout=0.0)
    x = torch.randn(2, 1, 64, 64)
    with torch.no_grad():
        out = net.train()(x)
        logits = net.eval()(x)
    assert isinstance(out, GoogLeNetOutputs)
    assert [tuple(t.shape) for t in out] == [(2, 7)] * 3
    assert isinstance(logits, torch.Tensor) and logits.shape == (2, 7)
    assert create("googlenet").aux1 is None


FASHION_INPUTS = {  # name -> (options, input size the chapters would use or a smaller one the net allows)
    "vgg11": ({"width_multiplier": 0.25}, 224),
    "vgg13": ({"width_multiplier": 0.25}, 64),
    "vgg16": ({"width_multiplier": 0.25}, 64),
    "vgg19": ({"width_multiplier": 0.25}, 64),
    "resnet18": ({}, 96),
    "resnet34": ({}, 64),
    "resnet50": ({}, 64),
    "googlenet": ({}, 96),
    "densenet121": ({}, 64),
    "densenet_small": ({}, 96),
}


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_fashion_mnist_forward_shape(name):
    options, size = FASHION_INPUTS[name]
    net = create(name, **options).eval()  # defaults: 10 classes, 1 channel
    with torch.no_grad():
        out = net(torch.randn(2, 1, size, size))
    assert out.shape == (2, 10)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_imagenet_forward_shape(name):
    with torch.device("meta"):
        net = create(name, num_classes=1000, in_channels=3).eval()
        assert net(torch.zeros(2, 3, 224, 224)).shape == (2, 1000)


def test_imagenet_resnet18_real_forward():
    net = create("resnet18", num_classes=1000, in_channels=3).eval()
    with torch.no_grad():
        out = net(torch.randn(1, 3, 224, 224))
    assert out.shape == (1, 1000) and torch.isfinite(out).all()


def test_d2l_vgg11_quarter_width():
    net = create("vgg11", width_multiplier=0.25)
    assert [[m.out_channels for m in block if isinstance(m, nn.Conv2d)] for block in net.features] == [
        [16], [32], [64, 64], [128, 128], [128, 128]]
    assert net.classifier[0].in_features == 128 * 7 * 7
    assert net.classifier[0].out_features == 4096


def test_d2l_densenet_small_channels():
    net = create("densenet_small")
    f = net.features
    widths = []
    for i in range(1, 5):
        block = getattr(f, f"denseblock{i}")
        assert len(list(block.children())) == 4
        assert all(isinstance(layer.conv, nn.Conv2d) and layer.conv.kernel_size == (3, 3) for layer in block.children())
        widths.append(block.out_channels)
        if i < 4:
            widths.append(getattr(f, f"transition{i}").conv.out_channels)
    assert f.conv0.out_channels == 64 and f.conv0.kernel_size == (7, 7) and f.conv0.stride == (2, 2)
    assert widths == [192, 96, 224, 112, 240, 120, 248]
    assert net.classifier.in_features == 248


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_unknown_option_raises(name):
    with pytest.raises(ValueError, match="unknown option"):
        create(name, colour="blue")


@pytest.mark.parametrize("name, options", [
    ("vgg11", {"width_multiplier": 0}),
    ("vgg11", {"width_multiplier": 0.001}),
    ("vgg16", {"dropout": 1.5}),
    ("resnet18", {"zero_init_residual": "yes"}),
    ("googlenet", {"dropout": -0.1}),
    ("densenet121", {"drop_rate": 1.0}),
])
def test_bad_option_value_raises(name, options):
    with pytest.raises(ValueError, match=name):
        create(name, **options)


# --- blocks ------------------------------------------------------------------------------------


def test_vgg_block_halves_resolution_only_at_the_pool():
    block = vgg_block(3, 8, 16)
    assert [type(m).__name__ for m in block] == ["Conv2d", "ReLU"] * 3 + ["MaxPool2d"]
    assert block(torch.randn(1, 8, 10, 12)).shape == (1, 16, 5, 6)
    with pytest.raises(ValueError, match="num_convs"):
        vgg_block(0, 8, 16)


@pytest.mark.parametrize("block_type", [BasicBlock, Bottleneck])
def test_residual_block_uses_projection_only_when_shape_changes(block_type):
    width = 16 * block_type.expansion
    same = block_type(width, 16)
    assert isinstance(same.shortcut, nn.Identity)
    for down in (block_type(width, 16, stride=2), block_type(8, 16)):
        conv, bn = down.shortcut
        assert conv.kernel_size == (1, 1) and not conv.bias and isinstance(bn, nn.BatchNorm2d)
    assert block_type(8, 16, stride=2)(torch.randn(2, 8, 10, 10)).shape == (2, width, 5, 5)


def test_zero_init_residual_makes_blocks_start_as_identity():
    net = create("resnet50", zero_init_residual=True).eval()
    assert all(m.bn3.weight.abs().sum() == 0 for m in net.modules() if isinstance(m, Bottleneck))
    block = net.layer2[1]  # identity shortcut; input after a ReLU is non-negative
    x = torch.rand(1, 512, 8, 8)
    assert torch.equal(block(x), x)
    default = create("resnet18")
    assert all((m.bn2.weight == 1).all() for m in default.modules() if isinstance(m, BasicBlock))


def test_inception_concatenates_branches_in_order():
    block = Inception(8, 2, (3, 4), (2, 5), 6)
    x = torch.randn(1, 8, 9, 9)
    parts = [block.branch1(x), block.branch2(x), block.branch3(x), block.branch4(x)]
    assert [p.shape[1] for p in parts] == [2, 4, 5, 6]
    assert torch.equal(block(x), torch.cat(parts, dim=1))


def test_dense_block_keeps_its_input_and_grows_by_growth_rate():
    block = DenseBlock(3, 5, growth_rate=4).eval()
    x = torch.randn(2, 5, 6, 6)
    out = block(x)
    assert out.shape == (2, 5 + 3 * 4, 6, 6)
    assert torch.equal(out[:, :5], x)  # concatenation: the input passes through untouched
    layers = list(block.children())
    assert [layer.norm1.num_features for layer in layers] == [5, 9, 13]
    assert [layer.conv1.out_channels for layer in layers] == [16, 16, 16]  # bn_size · growth_rate
    assert torch.equal(out[:, 9:13], layers[1](out[:, :9]))


def test_dense_layer_and_transition_order():
    assert [type(m).__name__ for m in DenseLayer(8, 4)] == ["BatchNorm2d", "ReLU", "Conv2d"] * 2
    assert [type(m).__name__ for m in Transition(8, 4)] == ["BatchNorm2d", "ReLU", "Conv2d", "AvgPool2d"]


def test_default_initialisation_is_torchvision_like():
    net = create("resnet18", num_classes=10, in_channels=1)
    bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    assert all((m.weight == 1).all() and (m.bias == 0).all() for m in bns)
    conv = net.layer3[0].conv2  # Kaiming, fan_out: std = sqrt(2 / (256·9))
    assert conv.weight.std().item() == pytest.approx((2 / (256 * 9)) ** 0.5, rel=0.05)


def test_googlenet_initialisation_keeps_logits_moderate():
    # No batch norm: fan-in Kaiming init must keep the forward signal from growing (fan-out gives std ~ 40).
    torch.manual_seed(0)
    net = create("googlenet").eval()
    with torch.no_grad():
        logits = net(torch.randn(4, 1, 64, 64))
    assert 0.3 < logits.std().item() < 10


# --- torchvision weights -----------------------------------------------------------------------


def randomised(model: nn.Module) -> nn.Module:
    """Give every batch norm random affine parameters and running statistics, so eval mode matters."""
    generator = torch.Generator().manual_seed(0)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.copy_(torch.rand(m.num_features, generator=generator) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=generator) * 0.1)
                m.running_mean.copy_(torch.randn(m.num_features, generator=generator) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=generator) + 0.5)
    return model.eval()


@pytest.mark.parametrize("name", ["vgg11", "resnet18", "resnet50", "densenet121"])
def test_from_torchvision_gives_the_same_logits(name):
    torch.manual_seed(0)
    theirs = randomised(getattr(torchvision.models, name)(weights=None))
    ours = from_torchvision(name, theirs.state_dict())
    assert not ours.training
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        expected, got = theirs(x), ours(x)
    assert got.shape == (2, 1000)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-4)


def test_from_torchvision_infers_classes_and_channels():
    theirs = torchvision.models.resnet18(weights=None, num_classes=10)
    theirs.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    theirs = randomised(theirs)
    ours = from_torchvision("resnet18", theirs.state_dict())
    assert (ours.conv1.in_channels, ours.fc.out_features) == (1, 10)
    x = torch.randn(2, 1, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), atol=1e-5, rtol=1e-4)


def test_from_torchvision_accepts_old_densenet_keys_and_missing_batch_counters():
    state = torchvision.models.densenet121(weights=None).state_dict()
    old_style = {}
    for key, value in state.items():
        if key.endswith("num_batches_tracked"):
            continue
        for part in ("norm", "relu", "conv"):
            for n in "12":
                key = key.replace(f".{part}{n}.", f".{part}.{n}.")
        old_style[key] = value
    assert "features.denseblock1.denselayer1.norm.1.weight" in old_style
    ours = from_torchvision("densenet121", old_style)
    for key, value in ours.state_dict().items():
        expected = torch.zeros_like(value) if key.endswith("num_batches_tracked") else state[key]
        assert torch.equal(value, expected), key


def test_from_torchvision_lists_missing_and_unexpected_keys():
    state = torchvision.models.resnet18(weights=None).state_dict()
    del state["layer1.0.conv1.weight"]
    state["layer9.extra.weight"] = torch.zeros(1)
    with pytest.raises(ValueError) as error:
        from_torchvision("resnet18", state)
    message = str(error.value)
    assert "missing 1: ['layer1.0.conv1.weight']" in message
    assert "unexpected 1: ['layer9.extra.weight']" in message


def test_from_torchvision_rejects_wrong_shapes_names_and_modules():
    state = torchvision.models.resnet18(weights=None).state_dict()
    state["layer1.0.conv2.weight"] = torch.zeros(64, 64, 1, 1)
    with pytest.raises(ValueError, match=r"layer1\.0\.conv2\.weight: \(64, 64, 1, 1\) vs ours \(64, 64, 3, 3\)"):
        from_torchvision("resnet18", state)
    with pytest.raises(ValueError, match="supports"):
        from_torchvision("googlenet", state)
    with pytest.raises(ValueError, match="state_dict"):
        from_torchvision("resnet18", torchvision.models.resnet18(weights=None))


def test_vgg_renames_cover_every_torchvision_key():
    with torch.device("meta"):
        for name in ("vgg13", "vgg16", "vgg19"):
            theirs = getattr(torchvision.models, name)(weights=None).state_dict()
            ours = create(name, num_classes=1000, in_channels=3).state_dict()
            renamed = rename_torchvision_keys(name, theirs)
            assert set(renamed) == set(ours)
            assert all(renamed[k].shape == ours[k].shape for k in ours)
