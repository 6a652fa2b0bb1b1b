"""The explorable figures in headless Chromium: the numbers are PyTorch's, the controls work.

Two kinds of page are served on 127.0.0.1, with every request to another host
aborted and reported:

* small static pages written here into a temporary folder, which load the site's
  own ES modules from ``docs/javascripts/cnnguide/`` and the HTML of the Python
  display objects (no site build needed): ``window.cnnguide`` is checked against
  ``torch.nn.Conv2d``, ``cnnguide.ops`` and a LeNet's torch forward pass, and the
  controls are driven with the mouse and the keyboard;
* the built site (marked ``site``, ``CNNGUIDE_SITE_DIR``): the explorers on the
  cross-correlation, padding-and-stride and pooling chapters, and the live LeNet
  on the LeNet chapter, whose logits must equal the ones torch computed at build time.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from _browser import Visit, browser  # noqa: F401  (the fixture)
from _site import page_url, serve, site_dir
from torch import nn

from cnnguide import models, ops
from cnnguide.figures._grid import format_number
from cnnguide.figures.explorers import (
    convolution_explorer,
    input_pattern,
    kernel_pattern,
    live_lenet,
    pooling_explorer,
)
from cnnguide.figures.network_export import load_export

ROOT = Path(__file__).resolve().parents[1]
# The chapters with an explorer, and the explorer kinds each must have.
EXPLORER_CHAPTERS = {"02-cross-correlation": "convolution", "03-padding-and-stride": "convolution",
                     "07-pooling": "pooling"}
LENET_CHAPTER = "10-lenet"
# Every page of these tests waits for the site's modules to have mounted the figures.
READY = "() => window.cnnguide && window.cnnguide.ready"
# Each test starts a browser page; together they take about a minute on a 2-core CPU.
pytestmark = pytest.mark.slow


# --- browser and pages -------------------------------------------------------------------


def static_page(title: str, body: str, before: str = "") -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            '<link rel="icon" href="data:,"><link rel="stylesheet" href="stylesheets/cnnguide.css"></head>'
            f'<body><article>{body}</article>{before}<script type="module" src="javascripts/cnnguide/index.js"></script></body></html>')


def lenet_for_test(variant: str) -> nn.Module:
    """A LeNet with random weights and, for the modern one, batch-norm statistics that are not the identity."""
    torch.manual_seed(0)
    net = models.create("lenet", variant=variant)
    for m in net.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.3, 0.3)
    return net.eval()


def sample_images(count: int = 6):
    """Fashion-MNIST test images when the data set is installed, else random k/255 images."""
    try:
        from cnnguide.data import load_fashion_mnist

        _, test_iter = load_fashion_mnist(count, device="cpu", train_size=count, test_size=count, download=False)
        return next(iter(test_iter))
    except Exception:  # the data set is a Debian package; the check does not depend on it
        g = torch.Generator().manual_seed(1)
        return torch.randint(0, 256, (count, 1, 28, 28), generator=g).float() / 255, torch.arange(count) % 10


@pytest.fixture(scope="module")
def static_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explorers")
    shutil.copytree(ROOT / "docs" / "javascripts" / "cnnguide", folder / "javascripts" / "cnnguide")
    shutil.copytree(ROOT / "docs" / "stylesheets", folder / "stylesheets")
    X, K = torch.arange(9.0).reshape(3, 3), torch.arange(4.0).reshape(2, 2)
    explorers = (convolution_explorer(X, K)._repr_html_() + convolution_explorer(n=5, kernel_size=3, padding=1,
                 stride=2)._repr_html_() + pooling_explorer(X)._repr_html_())
    (folder / "explorers.html").write_text(static_page("explorers", explorers), encoding="utf-8")
    # A stand-in for Material's document$: instant navigation swaps the article and emits again.
    subject = ("<script>window.document$ = {fns: [], subscribe(f) { this.fns.push(f); f(); },"
               " next() { this.fns.forEach(f => f()); }};</script>")
    (folder / "navigation.html").write_text(static_page("navigation", explorers, subject), encoding="utf-8")
    images, labels = sample_images()
    nets = {}
    for variant in ("classic", "modern"):
        nets[variant] = lenet_for_test(variant)
        live = live_lenet(nets[variant], images, labels)._repr_html_()
        (folder / f"lenet-{variant}.html").write_text(static_page(variant, live), encoding="utf-8")
    with serve(folder) as base:
        yield {"base": base, "nets": nets, "images": images, "labels": labels, "explorers": explorers}


@pytest.fixture()
def visit(browser, static_site):
    v = Visit(browser, static_site["base"], ready=READY)
    yield v
    v.close()
    assert not v.problems, v.problems


# --- the API against PyTorch --------------------------------------------------------------


def test_conv_output_size_equals_torch_conv2d(visit):
    page = visit.open("explorers.html")
    grid = [(n, k, p, s, d) for n in range(1, 8) for k in range(1, 6) for p in range(3) for s in range(1, 4)
            for d in range(1, 4)]
    js = page.evaluate("""grid => grid.map(([n, k, p, s, d]) => {
        try { return cnnguide.convOutputSize(n, k, p, s, d); } catch (e) { return e.name + ': ' + e.message; }
    })""", grid)
    refused = 0
    for (n, k, p, s, d), got in zip(grid, js):
        layer = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
        try:
            expected = layer(torch.zeros(1, 1, n, n)).shape[-1]
        except RuntimeError:
            refused += 1
            assert isinstance(got, str) and got.startswith("RangeError: kernel_size"), (n, k, p, s, d, got)
            assert f"spans {d * (k - 1) + 1} pixels, more than the padded input" in got
            with pytest.raises(ValueError, match=re.escape(got.split(": ", 1)[1])):
                ops.conv_output_size(n, k, padding=p, stride=s, dilation=d)  # the same words as the library
        else:
            assert got == expected, (n, k, p, s, d, got, expected)
    assert 0 < refused < len(grid)
    # The values an explorer shows for sizes a chapter gave none for are the Python side's.
    assert page.evaluate("() => [1, 2, 3, 7, 10].map(n => [cnnguide.inputPattern(n), cnnguide.kernelPattern(n)])") \
        == [[input_pattern(n), kernel_pattern(n)] for n in (1, 2, 3, 7, 10)]
    errors = page.evaluate("""() => [[0, 1], [3, 1.5], [3, 1, -1], [3, 1, 0, 0], [3, 1, 0, 1, 0], ['3', 1]].map(a => {
        try { cnnguide.convOutputSize(...a); return null; } catch (e) { return e.message; } })""")
    assert errors == ["n must be an integer >= 1, got 0", "kernel_size must be an integer >= 1, got 1.5",
                      "padding must be an integer >= 0, got -1", "stride must be an integer >= 1, got 0",
                      "dilation must be an integer >= 1, got 0", "n must be an integer >= 1, got 3"]


def random_cases(count: int, seed: int, pooling: bool = False):
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < count:
        h, w = rng.integers(1, 9, size=2)
        kh, kw = rng.integers(1, 5, size=2)
        ph, pw = (rng.integers(0, kh // 2 + 1), rng.integers(0, kw // 2 + 1)) if pooling else rng.integers(0, 3, 2)
        stride = [int(v) for v in rng.integers(1, 4, size=2)]
        dilation = [int(v) for v in rng.integers(1, 3, size=2)]
        if (dilation[0] * (kh - 1) + 1 > h + 2 * ph) or (dilation[1] * (kw - 1) + 1 > w + 2 * pw):
            continue
        cases.append({"input": rng.normal(size=(h, w)).round(3).tolist(), "kernel": rng.normal(size=(kh, kw))
                      .round(3).tolist(), "size": [int(kh), int(kw)], "padding": [int(ph), int(pw)],
                      "stride": stride, "dilation": dilation})
    return cases


def test_conv2d_equals_cnnguide_ops(visit):
    page = visit.open("explorers.html")
    cases = random_cases(60, seed=0)
    got = page.evaluate("""cases => cases.map(c => cnnguide.conv2d(c.input, c.kernel,
        {padding: c.padding, stride: c.stride, dilation: c.dilation}))""", cases)
    dilated = 0
    for case, out in zip(cases, got):
        X = torch.tensor(case["input"], dtype=torch.float64)[None, None]
        K = torch.tensor(case["kernel"], dtype=torch.float64)[None, None]
        if case["dilation"] == [1, 1]:
            expected = ops.conv2d(X, K, stride=tuple(case["stride"]), padding=tuple(case["padding"]))
        else:  # cnnguide.ops.conv2d has no dilation: torch's is the reference
            dilated += 1
            expected = F.conv2d(X, K, stride=case["stride"], padding=case["padding"], dilation=case["dilation"])
        np.testing.assert_allclose(np.array(out), expected[0, 0].numpy(), rtol=0, atol=1e-12, err_msg=str(case))
    assert 0 < dilated < len(cases)
    # Integer arguments mean the same in both directions, as in torch.
    assert page.evaluate("() => cnnguide.conv2d([[0,1,2],[3,4,5],[6,7,8]], [[0,1],[2,3]], {padding: 1, stride: 2})") \
        == ops.conv2d(torch.arange(9.).reshape(1, 1, 3, 3), torch.arange(4.).reshape(1, 1, 2, 2), padding=1,
                      stride=2)[0, 0].tolist()
    refusals = page.evaluate("""() => [
        () => cnnguide.conv2d([[1, 2]], [[1], [2]]),
        () => cnnguide.conv2d([[1, 2], [3]], [[1]]),
        () => cnnguide.conv2d([[1, NaN]], [[1]]),
        () => cnnguide.conv2d([[1]], [[1]], {pad: 1}),
    ].map(f => { try { f(); return null; } catch (e) { return e.message; } })""")
    assert refusals == [
        "kernel_size 2 with dilation 1 spans 2 pixels, more than the padded input n + 2*padding = 1 + 2*0 = 1",
        "input must be rectangular: row 0 has 2 values, row 1 has 1 values",
        "input[0][1] must be a finite number, got NaN",
        "unknown option pad: expected one of padding, stride, dilation",
    ]


def test_pool2d_equals_cnnguide_ops(visit):
    page = visit.open("explorers.html")
    cases = random_cases(40, seed=1, pooling=True)
    for case in cases[::2]:
        case["dilation"] = [1, 1]
    got = page.evaluate("""cases => cases.map(c => ['max', 'avg'].map(mode =>
        mode === 'avg' && (c.dilation[0] > 1 || c.dilation[1] > 1) ? null :
        cnnguide.pool2d(c.input, c.size, {mode, padding: c.padding, stride: c.stride, dilation: c.dilation})))""",
                        cases)
    for case, (mx, avg) in zip(cases, got):
        X = torch.tensor(case["input"], dtype=torch.float64)
        size, stride, padding = tuple(case["size"]), tuple(case["stride"]), tuple(case["padding"])
        if case["dilation"] == [1, 1]:
            np.testing.assert_allclose(mx, ops.pool2d(X, size, "max", stride, padding).numpy(), atol=1e-12)
            np.testing.assert_allclose(avg, ops.pool2d(X, size, "avg", stride, padding).numpy(), atol=1e-12)
        else:
            expected = F.max_pool2d(X[None, None], size, stride, padding, case["dilation"])[0, 0]
            np.testing.assert_allclose(mx, expected.numpy(), atol=1e-12)
            assert avg is None
    refusals = page.evaluate("""() => [
        () => cnnguide.pool2d([[1, 2], [3, 4]], 3),
        () => cnnguide.pool2d([[1, 2], [3, 4]], 2, {padding: 2}),
        () => cnnguide.pool2d([[1, 2], [3, 4]], 1, {mode: 'avg', dilation: 2}),
        () => cnnguide.pool2d([[1, 2], [3, 4]], 1, {mode: 'min'}),
    ].map(f => { try { f(); return null; } catch (e) { return e.message; } })""")
    assert refusals[0].startswith("kernel_size 3 with dilation 1 spans 3 pixels")
    assert refusals[1].startswith("padding 2 is more than half of kernel_size 2")
    assert refusals[2].startswith("average pooling has no dilation")
    assert refusals[3] == 'mode must be "max" or "avg", got "min"'
    for call in (lambda: F.max_pool2d(torch.zeros(1, 1, 2, 2), 2, 1, 2), lambda: F.max_pool2d(torch.zeros(1, 1, 2, 2), 3, 1)):
        with pytest.raises(RuntimeError):  # torch refuses the same two
            call()


@pytest.mark.parametrize("variant", ["classic", "modern"])
def test_lenet_logits_equal_torch(visit, static_site, variant):
    page = visit.open(f"lenet-{variant}.html")
    net, images = static_site["nets"][variant], static_site["images"]
    pixels = images.reshape(len(images), -1)
    with torch.no_grad():
        expected = net(images)
    got = page.evaluate("pixels => pixels.map(p => cnnguide.lenet.forward(p))", pixels.tolist())
    np.testing.assert_allclose(np.array(got), expected.numpy(), rtol=0, atol=1e-4)
    # The samples in the page decode to the same images, with the logits torch gave them.
    samples = page.evaluate("() => cnnguide.lenet.samples")
    np.testing.assert_array_equal(np.array(samples["images"], dtype=np.float32), pixels.numpy())
    np.testing.assert_allclose(np.array(samples["logits"]), expected.numpy(), atol=1e-6)
    assert samples["labels"] == static_site["labels"].tolist()
    # Every layer's output, not just the logits: torch's modules one by one.
    layers = page.evaluate("p => cnnguide.lenet.layers(p).map(l => [l.name, l.shape, l.data])", pixels[0].tolist())
    modules = [*net.features.named_children(), *net.classifier.named_children()]
    names = [f"features.{n}" for n, _ in net.features.named_children()] + \
        [f"classifier.{n}" for n, _ in net.classifier.named_children()]
    assert [name for name, _, _ in layers] == ["input", *names]
    x = images[:1]
    with torch.no_grad():
        for (_, module), (name, shape, data) in zip(modules, layers[1:]):
            x = module(x)
            assert shape == list(x.shape[1:]), name
            np.testing.assert_allclose(np.array(data), x.flatten().numpy(), rtol=0, atol=1e-4, err_msg=name)
    bad = page.evaluate("""() => [[1, 2, 3], Array(784).fill(NaN)].map(p => {
        try { cnnguide.lenet.forward(p); return null; } catch (e) { return e.message; } })""")
    assert bad == ["expected 784 input values (1 x 28 x 28), got 3", "input value 0 must be a finite number, got NaN"]


# --- the figures in the page ----------------------------------------------------------------


def drawn(page, root: str) -> dict:
    """What an explorer shows: its settings, the output cells' text, the formula and the cell lines."""
    return page.evaluate("""root => {
        const e = document.querySelectorAll('.cnnguide-explorer')[root];
        const value = name => { const i = e.querySelector(`input[name=${name}]`); return i ? Number(i.value) : null; };
        const mode = e.querySelector('input[type=radio]:checked');
        return {
            settings: ['n', 'kernel_size', 'padding', 'stride', 'dilation'].map(value),
            mode: mode ? mode.value : null,
            output: Array.from(e.querySelectorAll('.cg-output .cg-cell text')).map(t => t.textContent),
            columns: e.querySelector('.cg-output') ? e.querySelector('.cg-output').getAttribute('width') : null,
            size: e.querySelector('.cg-size').textContent,
            cell: e.querySelector('.cg-cell-text').textContent,
            refusal: e.querySelector('.cg-refusal').hidden ? null : e.querySelector('.cg-refusal').textContent,
            fallbackHidden: e.querySelector('.cnnguide-fallback').hidden,
            unused: e.querySelectorAll('.cg-unused').length,
        };
    }""", root)


def torch_output(state, X, K=None, mode=None) -> list[str]:
    """The explorer's output cells as torch computes them for its settings, formatted like the page."""
    n, k, p, s, d = state["settings"]
    X = torch.tensor(X, dtype=torch.float64)[None, None]
    if mode is None:
        Y = F.conv2d(X, torch.tensor(K, dtype=torch.float64)[None, None], stride=s, padding=p, dilation=d)
    elif mode == "max":
        Y = F.max_pool2d(X, k, s, p, d)
    else:
        Y = F.avg_pool2d(X, k, s, p)
    return [format_number(v) for v in Y.flatten().tolist()]


def press(page, locator, key: str, times: int = 1):
    locator.focus()
    for _ in range(times):
        page.keyboard.press(key)


def test_explorer_controls_redraw_with_torch_numbers(visit):
    page = visit.open("explorers.html")
    first = drawn(page, 0)
    assert first["settings"] == [3, 2, 0, 1, 1] and first["fallbackHidden"]
    assert first["output"] == ["19", "25", "37", "43"]
    assert first["cell"] == "Output[0, 0] (window: rows 0–1, columns 0–1 of the padded input) = 0×0 + 1×1 + 3×2 + 4×3 = 19"
    explorer = page.locator(".cnnguide-explorer").nth(0)
    X, K = np.arange(9.0).reshape(3, 3), np.arange(4.0).reshape(2, 2)

    # Padding 1 with the keyboard: the output grows to 4 x 4, torch's numbers.
    press(page, explorer.locator("input[name=padding]"), "ArrowRight")
    state = drawn(page, 0)
    assert state["settings"] == [3, 2, 1, 1, 1] and len(state["output"]) == 16
    assert state["output"] == torch_output(state, X, K)
    assert "= ⌊(3 + 2·1 − 1·(2 − 1) − 1) / 1⌋ + 1 = ⌊3 / 1⌋ + 1 = 4, so the output is 4 × 4." in state["size"]

    # Stride 2 leaves the last row and column out (floor), shown, not refused.
    press(page, explorer.locator("input[name=stride]"), "ArrowRight")
    state = drawn(page, 0)
    assert state["settings"] == [3, 2, 1, 2, 1] and state["output"] == torch_output(state, X, K)
    assert state["refusal"] is None and state["unused"] == 0  # only padding is left out here
    press(page, explorer.locator("input[name=padding]"), "ArrowLeft")  # padding 0, stride 2: the 3rd row is left out
    state = drawn(page, 0)
    assert state["output"] == ["19"] and state["unused"] == 5
    # The hatch shows: the unused cells are painted with the pattern, not the stylesheet's plain fill.
    fills = page.evaluate("""() => Array.from(document.querySelectorAll('.cnnguide-explorer')[0]
        .querySelectorAll('.cg-unused rect.cg-hatch')).map(r => getComputedStyle(r).fill)""")
    assert len(fills) == 5 and all(f.startswith("url(") and "-hatch" in f for f in fills), fills
    assert "rounding down leaves out the last 1 row and column" in page.locator(".cg-note").nth(0).inner_text()

    # A dilated kernel larger than the input: a refusal, no output grid.
    press(page, explorer.locator("input[name=dilation]"), "ArrowRight", 2)
    state = drawn(page, 0)
    assert state["output"] == [] and state["refusal"].startswith("PyTorch refuses these settings")
    assert "kernel_size 2 with dilation 3 spans 4 pixels" in state["refusal"]
    assert explorer.locator(".cg-play").is_disabled()

    # Input size 7: PyTorch's output again, from the explorer's own input pattern.
    press(page, explorer.locator("input[name=n]"), "ArrowRight", 4)
    state = drawn(page, 0)
    assert state["settings"] == [7, 2, 0, 2, 3] and state["refusal"] is None
    pattern = page.evaluate("() => cnnguide.inputPattern(7)")
    assert state["output"] == torch_output(state, pattern, K)


def test_explorer_steps_plays_and_follows_the_mouse(visit):
    page = visit.open("explorers.html")
    explorer = page.locator(".cnnguide-explorer").nth(1)  # 5 x 5, kernel 3, padding 1, stride 2: 3 x 3 output
    cell_text = explorer.locator(".cg-cell-text")
    assert cell_text.inner_text().startswith("Output[0, 0]")
    explorer.get_by_role("button", name="Next").click()
    assert cell_text.inner_text().startswith("Output[0, 1]")
    explorer.locator(".cg-output .cg-cell").nth(7).hover()
    assert cell_text.inner_text().startswith("Output[2, 1] (window: rows 4–6, columns 2–4 of the padded input)")
    window = explorer.locator(".cg-window")
    assert (window.get_attribute("x"), window.get_attribute("y")) == ("60", "120")
    assert explorer.locator(".cg-tap").count() == 9
    press(page, explorer.locator(".cg-output"), "ArrowUp")
    assert cell_text.inner_text().startswith("Output[1, 1]")
    page.keyboard.press("Home")
    assert cell_text.inner_text().startswith("Output[0, 0]")
    explorer.locator(".cg-play").click()
    page.wait_for_function("e => e.querySelector('.cg-cell-text').textContent.startsWith('Output[0, 2]')",
                           arg=explorer.element_handle(), timeout=10_000)
    explorer.locator(".cg-play").click()  # pause
    assert explorer.locator(".cg-play").inner_text().endswith("Play")
    # The multiply-add written out is the one torch sums: padded input times kernel.
    text = cell_text.inner_text()
    terms = re.findall(r"(−?\(?−?\d+\)?)×(\(?−?\d+\)?)", text.split(" = ", 1)[1])
    value = lambda t: float(t.strip("()").replace("−", "-"))
    assert len(terms) == 9
    assert format_number(sum(value(a) * value(b) for a, b in terms)) == text.rsplit("= ", 1)[1]


def test_pooling_explorer_switches_mode_and_refuses_what_torch_refuses(visit):
    page = visit.open("explorers.html")
    explorer = page.locator(".cnnguide-explorer").nth(2)
    X = np.arange(9.0).reshape(3, 3)
    state = drawn(page, 2)
    assert state["mode"] == "max" and state["output"] == torch_output(state, X, mode="max") == ["4", "5", "7", "8"]
    explorer.get_by_label("average").check()
    state = drawn(page, 2)
    assert state["mode"] == "avg" and state["output"] == torch_output(state, X, mode="avg")
    assert "mean(0, 1, 3, 4) = 8 / 4 = 2" in state["cell"]
    press(page, explorer.locator("input[name=padding]"), "ArrowRight")  # padding 1 <= 2 // 2
    state = drawn(page, 2)
    assert state["output"] == torch_output(state, X, mode="avg") and len(state["output"]) == 16
    press(page, explorer.locator("input[name=padding]"), "ArrowRight")  # padding 2 > 2 // 2: refused
    assert "more than half of kernel_size 2" in drawn(page, 2)["refusal"]
    press(page, explorer.locator("input[name=padding]"), "ArrowLeft")
    explorer.get_by_label("max").check()
    press(page, explorer.locator("input[name=dilation]"), "ArrowRight")
    state = drawn(page, 2)
    assert state["settings"] == [3, 2, 1, 1, 2] and state["output"] == torch_output(state, X, mode="max")
    assert "−∞" in state["cell"]  # max pooling pads with -inf
    explorer.get_by_label("average").check()
    assert "average pooling has no dilation" in drawn(page, 2)["refusal"]


def test_explorers_mount_again_after_instant_navigation(visit, static_site):
    page = visit.open("navigation.html")
    assert page.locator(".cg-explorer").count() == 3
    # What Material's instant navigation does: new content, then document$ emits.
    page.evaluate("html => { document.querySelector('article').innerHTML = html; document$.next(); }",
                  static_site["explorers"])
    assert page.evaluate("() => cnnguide.ready") == 3
    assert page.locator(".cg-explorer").count() == 3
    assert page.evaluate("() => cnnguide.explorers.length") == 3
    press(page, page.locator("input[name=padding]").first, "ArrowRight")
    assert len(drawn(page, 0)["output"]) == 16


def test_without_javascript_the_static_figure_stays(browser, static_site):
    visit = Visit(browser, static_site["base"], ready=READY, java_script_enabled=False)
    try:
        page = visit.open("explorers.html", ready=None)
        assert page.locator(".cg-explorer").count() == 0
        assert page.locator(".cnnguide-fallback img").count() == 3
        assert all(page.locator(".cnnguide-fallback img").nth(i).is_visible() for i in range(3))
        assert not visit.problems, visit.problems
    finally:
        visit.close()


def test_dark_scheme_restyles_the_explorer(visit):
    page = visit.open("explorers.html")

    def stroke():
        return page.evaluate("() => getComputedStyle(document.querySelector('.cg-window')).stroke")

    light = stroke()
    page.evaluate("() => document.body.setAttribute('data-md-color-scheme', 'slate')")
    assert stroke() != light


def test_live_lenet_follows_the_drawing(visit):
    page = visit.open("lenet-modern.html")
    network = page.locator(".cnnguide-network")
    assert network.locator(".cnnguide-fallback").is_hidden()
    logits = lambda: [row.split("\t")[-1] for row in network.locator(".cg-probs tbody tr").all_inner_texts()]
    first = logits()
    assert len(first) == 10
    assert network.locator(".cg-layer").count() == 7  # conv, pool, conv, pool blocks; two hidden layers; logits
    network.get_by_role("button", name="Test image 2").click()
    second = logits()
    assert second != first
    assert page.evaluate("() => cnnguide.lenet.pixels()") == page.evaluate("() => cnnguide.lenet.samples.images[1]")
    network.get_by_role("button", name="Clear").click()
    assert sum(page.evaluate("() => cnnguide.lenet.pixels()")) == 0
    empty = logits()
    # Ten classes to choose from, even for nothing: the blank canvas's prediction says so.
    assert "Prediction for a blank image" in network.locator(".cg-prediction").inner_text()
    assert "says nothing about the image" in network.locator(".cg-prediction").inner_text()
    # A stroke with the mouse across the canvas.
    box = network.locator("canvas.cg-draw").bounding_box()
    page.mouse.move(box["x"] + 60, box["y"] + 40)
    page.mouse.down()
    for step in range(10):
        page.mouse.move(box["x"] + 60 + 10 * step, box["y"] + 40 + 14 * step)
    page.mouse.up()
    page.wait_for_timeout(100)  # one animation frame
    drawn_pixels = np.array(page.evaluate("() => cnnguide.lenet.pixels()"))
    assert drawn_pixels.sum() > 5 and drawn_pixels.max() == 1.0
    assert logits() != empty
    with torch.no_grad():
        expected = lenet_for_test("modern")(torch.tensor(drawn_pixels, dtype=torch.float32).reshape(1, 1, 28, 28))
    shown = [float(v.replace("−", "-")) for v in logits()]
    np.testing.assert_allclose(shown, expected[0].numpy(), atol=0.006)  # printed with two decimals
    # The keyboard paints too: Space at the brush.
    before = sum(page.evaluate("() => cnnguide.lenet.pixels()"))
    press(page, network.locator("canvas.cg-draw"), "ArrowLeft", 10)
    page.keyboard.press("Space")
    page.wait_for_timeout(100)
    assert sum(page.evaluate("() => cnnguide.lenet.pixels()")) > before
    assert "Prediction: " in network.locator(".cg-prediction").inner_text()


# --- the built site -----------------------------------------------------------------------


# The English chapters and their Chinese twins, which show the same figures.
EDITIONS = ["", "zh/"]
# Words each edition's figures show (docs/javascripts/cnnguide/words.js), and the other edition's.
EXPLORER_WORDS = {"": ("Output size", "输出大小"), "zh/": ("输出大小", "Output size")}
NETWORK_WORDS = {"": ("Clear", "清除"), "zh/": ("清除", "Clear")}


def chapter_path(site: Path, slug: str, edition: str = "") -> str:
    page = site / edition / "chapters" / slug / "index.html"
    if not page.is_file():
        pytest.fail(f"the built site has no chapter {edition}{slug}")
    return page_url(site, page)


@pytest.mark.site
@pytest.mark.parametrize("edition", EDITIONS)
def test_site_explorers_on_their_chapters(browser, edition):
    site = site_dir()
    with serve(site) as base:
        visit = Visit(browser, base, ready=READY)
        try:
            for slug, kind in EXPLORER_CHAPTERS.items():
                page = visit.open(chapter_path(site, slug, edition))
                roots = page.locator(f".cnnguide-explorer[data-cnnguide={kind}]")
                assert roots.count() >= 1, f"{slug}: no {kind} explorer"
                assert page.locator(".cg-explorer").count() == roots.count(), f"{slug}: an explorer did not mount"
                ours, theirs = EXPLORER_WORDS[edition]
                text = roots.first.inner_text()
                assert ours in text and theirs not in text, f"{edition}{slug}: the explorer speaks the wrong language"
                index = page.evaluate(f"() => Array.from(document.querySelectorAll('.cnnguide-explorer'))"
                                      f".indexOf(document.querySelector('.cnnguide-explorer[data-cnnguide={kind}]'))")
                before = drawn(page, index)
                press(page, roots.first.locator("input[name=padding]"), "ArrowRight")
                after = drawn(page, index)
                assert after["settings"] != before["settings"] and after["size"] != before["size"], slug
                assert after["output"] != before["output"] or after["refusal"], slug
                if after["refusal"] is None:
                    root = roots.first
                    given = root.get_attribute("data-input")
                    X = json.loads(given) if given and len(json.loads(given)) == after["settings"][0] else \
                        page.evaluate("n => cnnguide.inputPattern(n)", after["settings"][0])
                    if kind == "convolution":
                        given_k = root.get_attribute("data-kernel")
                        K = json.loads(given_k) if given_k and len(json.loads(given_k)) == after["settings"][1] else \
                            page.evaluate("k => cnnguide.kernelPattern(k)", after["settings"][1])
                        assert after["output"] == torch_output(after, X, K), slug
                    else:
                        assert after["output"] == torch_output(after, X, mode=after["mode"]), slug
                page.close()
            assert not visit.problems, visit.problems
        finally:
            visit.close()


@pytest.mark.site
@pytest.mark.parametrize("edition", EDITIONS)
def test_site_live_lenet_matches_torch(browser, edition):
    site = site_dir()
    with serve(site) as base:
        visit = Visit(browser, base, ready=READY)
        try:
            page = visit.open(chapter_path(site, LENET_CHAPTER, edition))
            ours, theirs = NETWORK_WORDS[edition]
            text = page.locator(".cg-network").inner_text()
            assert ours in text and theirs not in text, f"{edition}: the live network speaks the wrong language"
            samples = page.evaluate("() => cnnguide.lenet.samples")
            got = page.evaluate("images => images.map(p => cnnguide.lenet.forward(p))", samples["images"])
            # torch's logits of the trained network, computed when the chapter ran ...
            np.testing.assert_allclose(np.array(got), np.array(samples["logits"]), rtol=0, atol=1e-4)
            # ... and of the network rebuilt from the weights in the page.
            payload = json.loads(page.locator("script.cnnguide-network-data").text_content())
            import base64

            net = load_export(payload["manifest"], base64.b64decode(payload["weights"]))
            with torch.no_grad():
                expected = net(torch.tensor(samples["images"], dtype=torch.float32).reshape(-1, 1, 28, 28))
            np.testing.assert_allclose(np.array(got), expected.numpy(), rtol=0, atol=1e-4)
            # Drawing changes the prediction's numbers.
            before = page.locator(".cg-probs").inner_text()
            # On a long chapter the canvas starts below the fold: the mouse works in viewport coordinates.
            page.locator("canvas.cg-draw").scroll_into_view_if_needed()
            box = page.locator("canvas.cg-draw").bounding_box()
            page.mouse.move(box["x"] + 30, box["y"] + 30)
            page.mouse.down()
            page.mouse.move(box["x"] + 190, box["y"] + 190, steps=12)
            page.mouse.up()
            page.wait_for_timeout(300)
            assert page.locator(".cg-probs").inner_text() != before
            # Dark mode restyles the figure.
            colour = lambda: page.evaluate("() => getComputedStyle(document.querySelector('.cg-bar')).backgroundColor")
            light = colour()
            page.locator("label.md-header__button[for^='__palette_']:visible").first.click()
            page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
            assert colour() != light
            assert not visit.problems, visit.problems
        finally:
            visit.close()


@pytest.mark.site
@pytest.mark.parametrize("edition", EDITIONS)
def test_site_explorer_mounts_after_navigating_to_its_chapter(browser, edition):
    """Follow the navigation from one explorer chapter to the next (an instant-navigation swap when
    Material's navigation.instant is on, a page load otherwise): the new page's explorer mounts."""
    site = site_dir()
    with serve(site) as base:
        visit = Visit(browser, base, ready=READY)
        try:
            page = visit.open(chapter_path(site, "02-cross-correlation", edition))
            page.evaluate("() => document.querySelector(\"nav a[href*='03-padding-and-stride']\").click()")
            page.wait_for_function("() => location.pathname.includes('03-padding-and-stride') && window.cnnguide"
                                   " && cnnguide.ready && document.querySelector('.cnnguide-explorer .cg-explorer')",
                                   timeout=30_000)
            assert page.evaluate("() => cnnguide.ready") >= 1
            assert page.locator(".cnnguide-explorer > .cnnguide-fallback").first.is_hidden()
            assert not visit.problems, visit.problems
        finally:
            visit.close()


_MOUNT = re.compile(r'<div class="cnnguide-(?:explorer|network)".*?</figure>\s*</div>', re.S)


@pytest.mark.site
def test_site_page_weight_of_the_figures(capsys):
    """Print what the figures add to each page (their HTML) and to the site (modules, stylesheet)."""
    site = site_dir()
    rows = []
    for slug in [*EXPLORER_CHAPTERS, LENET_CHAPTER]:
        html = (site / "chapters" / slug / "index.html").read_text(encoding="utf-8")
        added = sum(len(m.group(0).encode()) for m in _MOUNT.finditer(html))
        assert added > 0, f"{slug}: no explorable figure"
        rows.append(f"{slug:<24} {added / 1024:8.1f} KB of {len(html.encode()) / 1024:8.1f} KB")
    assets = sorted((site / "javascripts" / "cnnguide").glob("*.js")) + [site / "stylesheets" / "cnnguide.css"]
    rows += [f"{p.relative_to(site).as_posix():<40} {p.stat().st_size / 1024:6.1f} KB" for p in assets]
    with capsys.disabled():
        print("\nexplorable figures:\n" + "\n".join(rows))
    lenet = (site / "chapters" / LENET_CHAPTER / "index.html").read_text(encoding="utf-8")
    assert sum(len(m.group(0)) for m in _MOUNT.finditer(lenet)) < 600 * 1024
