"""Recorded GPU runs: found, labelled, refused when unlabelled, reported on pages."""

import os

import pytest

from cnnguide.figures import BookFigure
from cnnguide.recorded import describe_recorded, load_recorded, recorded_path, report_recorded
from cnnguide.train import History

LABELS = {"device": "cuda:0 (NVIDIA H100)", "torch": "2.14.1", "date": "2026-11-27T12:00:00+00:00",
          "command": "python scripts/reproduce.py --only lenet"}


@pytest.fixture
def recorded_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNGUIDE_RECORDED_DIR", str(tmp_path))
    return tmp_path


def a_run(**metadata) -> History:
    history = History(metadata=metadata)
    for epoch in range(3):
        history.append(2.0 - epoch / 2, 0.5 + epoch / 10, 0.6 + epoch / 10, 1000.0, 10.0)
    return history


def test_absent_run_is_none_and_the_page_gives_the_command(recorded_dir, capsys):
    assert load_recorded("lenet") is None
    assert report_recorded("lenet") is None
    out = capsys.readouterr().out
    assert "No GPU run" in out and "python scripts/reproduce.py --only lenet" in out


def test_labelled_run_is_reported_with_its_device_date_and_curves(recorded_dir, capsys):
    a_run().save_json(recorded_path("lenet"), **LABELS)
    run = load_recorded("lenet")
    assert run.test_acc == pytest.approx([0.6, 0.7, 0.8])
    # save_json adds this machine's core count to the labels, as a recording script does.
    assert describe_recorded(run) == (f"recorded on cuda:0 (NVIDIA H100), a {os.cpu_count()}-core machine, "
                                      "2026-11-27, torch 2.14.1: python scripts/reproduce.py --only lenet")
    fig = report_recorded("lenet")
    out = capsys.readouterr().out
    assert isinstance(fig, BookFigure)
    assert fig.get_suptitle() == "LeNet-5, recorded run (cuda:0 (NVIDIA H100))"
    assert "NVIDIA H100" in out and "test accuracy after 3 epochs: 0.800" in out and "0.789" in out


def test_unlabelled_or_broken_run_is_refused(recorded_dir):
    # save_json adds this process's device, torch and date, but not the command.
    a_run().save_json(recorded_path("lenet"))
    with pytest.raises(ValueError, match="lacks command"):
        load_recorded("lenet")
    recorded_path("vgg11").write_text("{not json")
    with pytest.raises(ValueError, match="unreadable"):
        load_recorded("vgg11")


@pytest.mark.parametrize("name", ["", "../lenet", ".hidden"])
def test_bad_names_refused(name):
    with pytest.raises(ValueError, match="not a recorded-run name"):
        recorded_path(name)
