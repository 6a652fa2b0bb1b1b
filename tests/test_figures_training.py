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
