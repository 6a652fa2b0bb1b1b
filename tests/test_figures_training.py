"""Training figures render headless, say what they show, and refuse bad input."""

import warnings

import pytest
import torch

from cnnguide import data, figures, train


def history(n=3):
    return train.History([2.3 - 0.5 * i for i in range(n)], [0.2 + 0.2 * i for i in range(n)],
                         [0.3 + 0.2 * i for i in range(n)], [1000.0] * n, [1.0] * n)


def render(fig):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. a glyph missing from the font
        png = fig.to_png()
    assert png[:4] == b"\x89PNG"
    return png


def test_plot_history_with_recorded_overlay():
    fig = figures.plot_history(history(), title="LeNet", recorded=history(5).to_dict(), recorded_label="GPU")
    render(fig)
    assert "3 epochs" in fig.alt and "from 2.300 to 1.300" in fig.alt and "GPU run" in fig.alt
    labels = [line.get_label() for line in fig.axes[1].get_lines()]
    assert "test acc (GPU)" in labels


def test_plot_history_rejects_incomplete_records():
    with pytest.raises(ValueError, match="test_acc"):
        figures.plot_history({"train_loss": [1.0], "train_acc": [0.5]})


def test_prediction_grid_marks_wrong_predictions():
    images, labels = data.read_fashion_mnist("test")
    predicted = labels[:10].clone()
    predicted[[1, 4]] = (predicted[[1, 4]] + 1) % 10
    fig = figures.prediction_grid(images[:10], labels[:10], predicted, ncols=5)
    render(fig)
    assert "2 of the 10 predictions are wrong" in fig.alt
    titles = [ax.get_title() for ax in fig.axes]
    assert sum("true:" in t for t in titles) == 2
    with pytest.raises(ValueError, match="as many"):
        figures.prediction_grid(images[:3], labels[:3], labels[:2])


def test_confusion_matrix_figure():
    matrix = torch.diag(torch.full((10,), 90))
    matrix[6, 0] = 17
    fig = figures.confusion_matrix_figure(matrix, data.CLASS_NAMES)
    render(fig)
    assert "'shirt' taken for 't-shirt' (17 times)" in fig.alt
    with pytest.raises(ValueError, match="square"):
        figures.confusion_matrix_figure(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="labels"):
        figures.confusion_matrix_figure(torch.zeros(3, 3), ["a", "b"])


def test_plot_history_draws_points_within_epochs_as_the_curve():
    batches = [(torch.randn(32, 1, 4, 4), torch.randint(0, 3, (32,))) for _ in range(10)]
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 3))
    run = train.fit(net, batches, batches[:2], 2, 0.1, device="cpu", seed=0)  # 5 points an epoch
    fig = figures.plot_history(run)
    render(fig)
    loss_line = fig.axes[0].get_lines()[0]
    assert loss_line.get_xdata().tolist() == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0])
    assert loss_line.get_ydata().tolist() == run.point_train_loss
    train_acc, test_acc = fig.axes[1].get_lines()
    assert train_acc.get_ydata().tolist() == run.point_train_acc
    assert test_acc.get_xdata().tolist() == [1.0, 2.0] and test_acc.get_ydata().tolist() == run.test_acc
    assert fig.axes[0].get_xlim()[0] == 0
    assert "at 10 points within the epochs" in fig.alt
    # A recorded run without points (saved before they existed) is drawn one point per epoch.
    old = {k: v for k, v in history(2).to_dict().items() if not k.startswith("point_")}
    fig = figures.plot_history(run, recorded=old)
    assert fig.axes[0].get_lines()[1].get_xdata().tolist() == [1.0, 2.0]


def test_plot_history_rejects_ragged_points():
    record = {**history(2).to_dict(), "point_epoch": [0.5, 1.0], "point_train_loss": [1.0]}
    with pytest.raises(ValueError, match="point series differ in length"):
        figures.plot_history(record)


def test_live_plot_outside_a_notebook_warns_and_trains():
    batches = [(torch.randn(8, 4), torch.randint(0, 2, (8,)))]
    with pytest.warns(UserWarning, match="LivePlot needs a notebook"):
        plot = figures.LivePlot()
    run = train.fit(torch.nn.Linear(4, 2), batches, batches, 1, 0.1, device="cpu", callbacks=[plot])
    assert run.epochs == 1


def test_live_plot_in_a_notebook_updates_one_output_per_run(monkeypatch):
    IPython = pytest.importorskip("IPython")
    import IPython.display

    shown = []

    class Handle:
        def update(self, fig):
            shown.append(("update", fig))

    def display(fig, display_id=False):
        assert display_id is True
        shown.append(("display", fig))
        return Handle()

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", display)
    batches = [(torch.randn(8, 4), torch.randint(0, 2, (8,)))] * 2
    plot = figures.LivePlot(title="linear")
    train.fit(torch.nn.Linear(4, 2), batches, batches, 3, 0.1, device="cpu", callbacks=[plot])
    assert [kind for kind, _ in shown] == ["display", "update", "update"]
    assert "3 epochs" in shown[-1][1].alt
    assert shown[-1][1]._suptitle.get_text() == "linear, epoch 3 of 3"
    train.fit(torch.nn.Linear(4, 2), batches, batches, 1, 0.1, device="cpu", callbacks=[plot])
    assert [kind for kind, _ in shown][3:] == ["display"]  # a new run, a new output
