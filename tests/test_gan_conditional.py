"""Conditional DCGAN (cnnguide.gan.conditional), label agreement (cnnguide.gan.agreement) and their figures."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cnnguide import data
from cnnguide.figures.gan_conditional import plot_class_grid, plot_label_agreement
from cnnguide.gan import (
    ConditionalDCGANGenerator, DCGANDiscriminator, FixedLabel, LabelAgreement, ProjectionDiscriminator,
    class_conditional_fid, generator_label_agreement, judge_fid, label_agreement, load_judge, nets, registry,
)  # fmt: skip
from cnnguide.summary import summarize


@pytest.fixture(scope="module")
def test_images():
    images, labels = data.read_fashion_mnist("test")
    return images[:, None] / 255, labels


def _init(net, seed=0):
    torch.manual_seed(seed)
    return net.apply(nets.dcgan_init_)


# --- the networks ---------------------------------------------------------------------------


@pytest.mark.parametrize("width", [4, 16])
def test_shapes_and_ranges(width):
    g, d = ConditionalDCGANGenerator(latent_dim=12, width=width), ProjectionDiscriminator(width=width)
    y = torch.tensor([0, 3, 9, 9, 1])
    x = g(torch.randn(5, 12), y)
    assert x.shape == (5, 1, 28, 28) and x.abs().max() <= 1
    assert d(x, y).shape == (5,)
    assert g.num_classes == d.num_classes == 10 and g.latent_dim == 12
    colour = ConditionalDCGANGenerator(width=width, num_classes=3, out_channels=3, embed_dim=7)
    assert colour(torch.randn(2, 100), torch.tensor([0, 2])).shape == (2, 3, 28, 28)
    assert colour.trunk.latent_dim == 107
    assert ProjectionDiscriminator(width, num_classes=3, in_channels=3)(torch.rand(2, 3, 28, 28),
                                                                       torch.tensor([2, 0])).shape == (2,)


def test_the_trunks_are_dcgan_networks():
    g, d = ConditionalDCGANGenerator(width=8), ProjectionDiscriminator(width=8)
    assert type(g.trunk) is nets.DCGANGenerator and type(d.trunk) is DCGANDiscriminator
    # Parameters: the trunks' plus one embedding each (10 x embed_dim; 10 x 49 x 2w).
    assert sum(p.numel() for p in g.parameters()) == (
        sum(p.numel() for p in nets.DCGANGenerator(110, 8).parameters()) + 10 * 10)
    assert sum(p.numel() for p in d.parameters()) == (
        sum(p.numel() for p in DCGANDiscriminator(8).parameters()) + 10 * 49 * 16)


def test_labels_change_the_generators_output():
    g = _init(ConditionalDCGANGenerator(latent_dim=16, width=8)).eval()
    z = torch.randn(1, 16).repeat(10, 1)  # one noise vector, every class
    with torch.no_grad():
        x = g(z, torch.arange(10))
        again = g(z, torch.arange(10))
    assert torch.equal(x, again)
    distances = torch.cdist(x.flatten(1), x.flatten(1))
    off_diagonal = distances[~torch.eye(10, dtype=torch.bool)]
    assert off_diagonal.min() > 1e-3 * distances.max() > 0  # every pair of classes differs


def test_the_generator_sees_the_embedding_row_of_its_label():
    g = _init(ConditionalDCGANGenerator(latent_dim=6, width=4)).eval()
    z, y = torch.randn(4, 6), torch.tensor([7, 0, 7, 2])
    with torch.no_grad():
        expected = g.trunk(torch.cat([z, g.embed.weight[y]], dim=1))  # the one-hot times E
        assert torch.equal(g(z, y), expected)


def test_projection_term_is_the_inner_product_with_the_features():
    torch.manual_seed(0)
    d = _init(ProjectionDiscriminator(width=4)).eval()
    x, y = torch.rand(6, 1, 28, 28), torch.tensor([0, 1, 2, 9, 9, 5])
    with torch.no_grad():
        assert torch.equal(d.embed.weight, torch.zeros_like(d.embed.weight))  # V = 0 after dcgan_init_
        assert torch.equal(d(x, y), d.trunk(x))  # the unconditional discriminator
        d.embed.weight.normal_()
        phi = d.trunk.features(x)
        unconditional = d.trunk(x)
        projection = (d.embed.weight[y] * phi.flatten(1)).sum(dim=1)
        torch.testing.assert_close(d(x, y), unconditional + projection)
        # The same logit written as DCGAN's last 7x7 filter plus the class's own filter V[y].
        w, b = d.trunk.logit.weight, d.trunk.logit.bias
        by_filter = torch.stack([
            F.conv2d(phi[i:i + 1], w + d.embed.weight[y[i]].view_as(w), b).flatten()[0] for i in range(6)])
        torch.testing.assert_close(d(x, y), by_filter)
        # With psi's weights zeroed only the projection is left.
        w.zero_()
        b.zero_()
        torch.testing.assert_close(d(x, y), projection)


def test_initialisers_leave_the_class_vectors_at_zero():
    g, d = ConditionalDCGANGenerator(latent_dim=8, width=4), ProjectionDiscriminator(width=4)
    for init in (nets.dcgan_init_, nets.default_init_):
        d.embed.weight.data.normal_()
        d.apply(init)
        assert torch.count_nonzero(d.embed.weight) == 0  # both restart the class vectors at zero
    d.apply(nets.default_init_)
    assert torch.count_nonzero(d.embed.weight) == 0
    # Both redraw the generator's embedding from the seed, N(0, 1): a run is reproducible from fit_gan's seed.
    for init in (nets.dcgan_init_, nets.default_init_):
        torch.manual_seed(4)
        g.apply(init)
        first = g.embed.weight.clone()
        torch.manual_seed(4)
        g.apply(init)
        assert torch.equal(first, g.embed.weight) and 0.5 < first.std() < 1.5


def test_gradients_reach_both_embeddings():
    g, d = _init(ConditionalDCGANGenerator(latent_dim=8, width=4)), _init(ProjectionDiscriminator(width=4))
    y = torch.tensor([1, 1, 4, 8])
    d(g(torch.randn(4, 8), y), y).sum().backward()
    assert g.embed.weight.grad[[1, 4, 8]].abs().sum(dim=1).min() > 0
    assert d.embed.weight.grad[[1, 4, 8]].abs().sum(dim=1).min() > 0  # from V = 0: phi(x), not zero
    assert torch.count_nonzero(g.embed.weight.grad[[0, 2, 3, 5, 6, 7, 9]]) == 0  # classes not in the batch


@pytest.mark.parametrize("net, first", [
    (ConditionalDCGANGenerator(latent_dim=5, width=4), torch.zeros(2, 5)),
    (ProjectionDiscriminator(width=4), torch.zeros(2, 1, 28, 28)),
])  # fmt: skip
def test_bad_labels_are_refused(net, first):
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 10\) \(num_classes=10\), got values from 0 to 10"):
        net(first, torch.tensor([0, 10]))
    with pytest.raises(ValueError, match="got values from -3 to 1"):
        net(first, torch.tensor([-3, 1]))
    with pytest.raises(ValueError, match=r"expected labels of shape \(2,\), got \(3,\)"):
        net(first, torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match=r"expected labels of shape \(2,\), got \(2, 1\)"):
        net(first, torch.tensor([[0], [1]]))
    with pytest.raises(ValueError, match=r"labels must be integers \(int64\), got torch.float32"):
        net(first, torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="labels must be integers"):
        net(first, torch.tensor([True, False]))
    with pytest.raises(ValueError, match="labels must be a torch.Tensor, got list"):
        net(first, [0, 1])


def test_bad_inputs_and_options():
    with pytest.raises(ValueError, match=r"expected noise of shape \(N, 100\), got \(2, 100, 1, 1\)"):
        ConditionalDCGANGenerator()(torch.zeros(2, 100, 1, 1), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match=r"expected images of shape \(N, 1, 28, 28\), got \(2, 1, 32, 32\)"):
        ProjectionDiscriminator(width=4)(torch.zeros(2, 1, 32, 32), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match="num_classes must be a positive integer, got 0"):
        ConditionalDCGANGenerator(num_classes=0)
    with pytest.raises(ValueError, match="embed_dim must be a positive integer, got -1"):
        ConditionalDCGANGenerator(embed_dim=-1)
    with pytest.raises(ValueError, match="num_classes must be a positive integer, got 2.0"):
        ProjectionDiscriminator(num_classes=2.0)


def test_registry_input_shape_and_summary():
    assert {"conditional_dcgan_generator", "projection_discriminator"} <= set(registry.names())
    g = registry.create("conditional_dcgan_generator", width=8, embed_dim=4)
    d = registry.create("projection_discriminator", width=8)
    assert isinstance(g, ConditionalDCGANGenerator) and isinstance(d, ProjectionDiscriminator)
    assert registry.input_shape(g, batch=3) == (3, 100) and registry.input_shape(d, batch=3) == (3, 1, 28, 28)
    with pytest.raises(ValueError, match=r"projection_discriminator: unknown option\(s\) \['latent_dim'\]"):
        registry.create("projection_discriminator", latent_dim=3)
    # summarize feeds one tensor: FixedLabel holds the label, and the network's modules under their names.
    for net, first_row in ((g, "embed"), (d, "trunk.features.0.0")):
        fixed = FixedLabel(net, label=7)
        summary = summarize(fixed, registry.input_shape(net))
        assert summary.total_parameters == sum(p.numel() for p in net.parameters())
        assert sum(r.parameters for r in summary.rows) == summary.total_parameters
        assert summary.rows[0].name == first_row and any(r.type.endswith("Embedding") for r in summary.rows)
    z = torch.randn(2, 100)
    torch.testing.assert_close(FixedLabel(g, 7)(z), g(z, torch.tensor([7, 7])))
    with pytest.raises(ValueError, match=r"label must be an integer in \[0, 10\), got 10"):
        FixedLabel(g, 10)
    with pytest.raises(ValueError, match="FixedLabel takes a conditional network"):
        FixedLabel(nets.DCGANGenerator(width=4))


def test_meta_device():
    with torch.device("meta"):
        g = registry.create("conditional_dcgan_generator")
        d = registry.create("projection_discriminator")
    g.apply(nets.dcgan_init_)
    d.apply(nets.dcgan_init_)
    z, y = torch.zeros(4, 100, device="meta"), torch.full((4,), 99, device="meta")  # values not checked
    x = g(z, y)
    assert x.device.type == "meta" and x.shape == (4, 1, 28, 28) and d(x, y).shape == (4,)
    assert sum(p.numel() for p in d.parameters()) == 138_689 + 10 * 49 * 128


# --- label agreement ------------------------------------------------------------------------


class RealImages(nn.Module):
    """A stand-in generator that returns real test images (in [-1, 1]): of random classes, or of the asked one."""

    def __init__(self, images, labels, follow_label: bool):
        super().__init__()
        self.images, self.labels, self.follow_label = images, labels, follow_label
        self.latent_dim, self.num_classes = 4, 10
        self.rng = torch.Generator().manual_seed(123)
        self.calls = []

    def forward(self, z, labels):
        self.calls.append((self.training, torch.is_grad_enabled(), len(z)))
        if self.follow_label:
            index = torch.stack([torch.nonzero(self.labels == c)[:, 0][
                torch.randint(0, 1000, (), generator=self.rng)] for c in labels.tolist()])
        else:
            index = torch.randint(0, len(self.images), (len(z),), generator=self.rng)
        return self.images[index] * 2 - 1


def test_a_generator_that_ignores_its_label_agrees_at_chance(test_images):
    images, labels = test_images
    fake = RealImages(images, labels, follow_label=False)
    agreement = generator_label_agreement(fake, per_class=200, batch_size=300)
    assert agreement.counts == (200,) * 10
    # The asked labels are balanced and independent of the images, so the expected agreement is
    # sum_c (1/10) P(judge says c) = 0.1 whatever the judge's class frequencies are. Its standard
    # deviation is at most sqrt(0.1 * 0.9 / 2000) = 0.0067: 0.035 is over 5 of them (p < 1e-6).
    assert agreement.overall == pytest.approx(0.1, abs=0.035)
    assert fake.calls[0] == (False, False, 300) and len(fake.calls) == 7  # eval, no grad, in batches
    assert fake.training  # mode restored


def test_a_generator_that_follows_its_label_agrees_as_the_judge_is_accurate(test_images):
    images, labels = test_images
    agreement = generator_label_agreement(RealImages(images, labels, follow_label=True), per_class=100)
    assert agreement.overall > 0.85
    assert min(agreement.per_class) > 0.5  # shirt, the judge's hardest class, is still well above chance


def test_label_agreement_of_real_images_is_the_judges_accuracy(test_images):
    images, labels = test_images[0][:2000], test_images[1][:2000]
    agreement = label_agreement(images, labels)
    net = load_judge()  # a separate copy: logits, argmax, count
    with torch.no_grad():
        predicted = torch.cat([net(images[i:i + 500]).argmax(dim=1) for i in range(0, 2000, 500)])
    correct = predicted == labels
    assert agreement.overall == int(correct.sum()) / 2000
    for c in range(10):
        mask = labels == c
        assert agreement.counts[c] == int(mask.sum())
        assert agreement.per_class[c] == int(correct[mask].sum()) / int(mask.sum())
    assert agreement.overall != pytest.approx(sum(agreement.per_class) / 10, abs=1e-12)  # weighted by counts


def test_label_agreement_classes_never_asked_and_bad_input(test_images):
    images, labels = test_images
    keep = (labels == 2) | (labels == 7)
    agreement = label_agreement(images[keep][:300], labels[keep][:300])
    assert [c for c in range(10) if not math.isnan(agreement.per_class[c])] == [2, 7]
    assert sum(agreement.counts) == 300 and agreement.counts[0] == 0
    with pytest.raises(ValueError, match=r"expected labels of shape \(300,\), got \(299,\)"):
        label_agreement(images[:300], labels[:299])
    with pytest.raises(ValueError, match="needs from_tanh"):
        label_agreement(images[:3] * 2 - 1, labels[:3])


def test_generator_label_agreement_is_seeded_and_checks_its_generator():
    g = _init(ConditionalDCGANGenerator(latent_dim=8, width=4))
    assert generator_label_agreement(g, per_class=4, seed=3) == generator_label_agreement(g, per_class=4, seed=3)
    with pytest.raises(ValueError, match="the judge knows 10 classes, the generator has num_classes=3"):
        generator_label_agreement(ConditionalDCGANGenerator(width=4, num_classes=3))
    with pytest.raises(ValueError, match="a conditional generator has an integer attribute num_classes"):
        generator_label_agreement(nets.DCGANGenerator(width=4))
    with pytest.raises(ValueError, match="per_class must be a positive integer, got 0"):
        generator_label_agreement(g, per_class=0)


@pytest.mark.slow  # 20 Fréchet distances: about 10 s on a loaded 2-core CPU
def test_class_conditional_fid(test_images):
    images, labels = test_images
    gen, gen_labels, real, real_labels = images[:500], labels[:500], images[5000:7000], labels[5000:7000]
    right = class_conditional_fid(gen, gen_labels, real, real_labels)
    wrong = class_conditional_fid(gen, (gen_labels + 1) % 10, real, real_labels)  # good images, wrong classes
    assert right.counts == tuple(torch.bincount(gen_labels, minlength=10).tolist())
    assert right.mean == pytest.approx(sum(right.per_class) / 10)
    assert right.per_class[4] == pytest.approx(judge_fid(gen[gen_labels == 4], real[real_labels == 4]))
    assert all(r < w for r, w in zip(right.per_class, wrong.per_class)) and 2 * right.mean < wrong.mean
    with pytest.raises(ValueError, match=r"class 3 \(dress\) has 1 generated and \d+ real images"):
        class_conditional_fid(gen[:3], torch.tensor([3, 0, 0]), real, real_labels)


# --- figures --------------------------------------------------------------------------------


def test_class_grid_has_one_row_per_class():
    g = _init(ConditionalDCGANGenerator(latent_dim=8, width=4)).eval()
    labels = torch.arange(64) * 10 // 64  # fit_gan's fixed batch
    with torch.no_grad():
        samples = g(torch.randn(64, 8), labels)
    fig = plot_class_grid(samples, labels, title="step 0")
    assert len(fig.axes) == 10
    assert [ax.get_ylabel() for ax in fig.axes] == list(data.CLASS_NAMES)
    assert fig.axes[0].images[0].get_array().shape == (32, 6 * 30 + 2)  # 6 images a row, padding 2
    assert fig.to_png()[:4] == b"\x89PNG"
    two = plot_class_grid(samples[:20], torch.tensor([5, 2] * 10), per_class=3)
    assert [ax.get_ylabel() for ax in two.axes] == ["pullover", "sandal"] and "3 images each" in two.alt
    with pytest.raises(ValueError, match=r"expected labels of shape \(64,\), one per sample, got \(63,\)"):
        plot_class_grid(samples, labels[:63])
    with pytest.raises(ValueError, match=r"labels \[10\] have no name among the 10 class_names"):
        plot_class_grid(samples[:2], torch.tensor([1, 10]))


def test_label_agreement_figure(test_images):
    images, labels = test_images
    agreement = label_agreement(images[:500], labels[:500])
    fig = plot_label_agreement(agreement, reference=agreement, title="real images")
    assert len(fig.axes[0].patches) == 10 and f"overall {agreement.overall:.3f}" in fig.alt
    partial = LabelAgreement(0.4, (0.4,) + (math.nan,) * 9, (5,) + (0,) * 9)
    assert len(plot_label_agreement(partial).axes[0].patches) == 1
    assert "9 classes not asked" in plot_label_agreement(partial).alt
    with pytest.raises(ValueError, match="agreement has 2 classes, class_names 10"):
        plot_label_agreement(LabelAgreement(0.5, (0.5, 0.5), (1, 1)))
