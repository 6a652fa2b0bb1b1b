"""fit under torch.distributed: gloo on 127.0.0.1, two CPU processes launched by torchrun."""

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest
import torch

from cnnguide.train.distributed import DistributedRun, loss_weight, shard

WORKER = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    import torch
    from torch import nn
    from cnnguide.data import ImageBatches
    from cnnguide.train import fit
    from cnnguide.train.callbacks import Callback

    out, epochs, fail = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "fail"
    g = torch.Generator().manual_seed(0)
    X = torch.randint(0, 256, (150, 1, 6, 6), generator=g, dtype=torch.uint8)
    y = (X.float().mean(dim=(1, 2, 3)) > 127).long() + (X[:, 0, 0, 0] > 127).long()
    train = ImageBatches(X[:110], y[:110], 16, True, seed=1)  # 110 = 6 x 16 + 14: a ragged last batch
    test = ImageBatches(X[110:], y[110:], 16, False)

    class Files(Callback):
        def on_epoch_end(self, history, *, epoch, **kw):
            (out / f"written-by-rank{os.environ.get('RANK', '0')}.txt").write_text(str(epoch))

    class Boom(Callback):
        def on_batch_end(self, history, *, epoch, batch, **kw):
            raise RuntimeError("rank 1 exploded on purpose")

    if fail and os.environ.get("RANK") == "1":
        # Callbacks run on rank 0 only, so rank 1 fails inside its data instead.
        train = [(X[:16].float(), y[:16]), "not a batch"]
    net = nn.Sequential(nn.Flatten(), nn.Linear(36, 16), nn.ReLU(), nn.Linear(16, 3))
    if sys.argv[3] == "sync":  # SyncBatchNorm on CPUs: refused before the first batch
        fit(nn.Sequential(nn.Flatten(), nn.Linear(36, 8), nn.BatchNorm1d(8), nn.Linear(8, 3)), train, test,
            num_epochs=1, lr=0.1, device="cpu", progress=False, sync_batchnorm=True)
    if sys.argv[3] == "ema":  # a callback every rank runs: the moving average that is evaluated
        from cnnguide.train.weights import EMA
        ema = EMA(0.5)
        history = fit(net, train, test, num_epochs=epochs, lr=0.3, momentum=0.9, device="cpu", seed=0,
                      progress=False, points_per_epoch=2, callbacks=[ema, Files()], evaluate=ema.averaged)
        net = ema.averaged()
    else:
        history = fit(net, train, test, num_epochs=epochs, lr=0.3, momentum=0.9, device="cpu", seed=0,
                      progress=False, points_per_epoch=2, callbacks=[Files()],
                      checkpoint_dir=out / "ckpt", resume=True)
    rank = os.environ.get("RANK", "0")
    torch.save(net.state_dict(), out / f"weights-rank{rank}.pt")
    (out / f"history-rank{rank}.json").write_text(json.dumps(
        {k: getattr(history, k) for k in ("train_loss", "train_acc", "test_acc", "point_train_loss")}
        | {"world_size": history.metadata["world_size"]}))
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(tmp_path, out, epochs, nproc=None, mode="ok", timeout=120):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    out.mkdir(exist_ok=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "CNNGUIDE_DIST_TIMEOUT": "30"}
    env.pop("WORLD_SIZE", None)
    launcher = [] if nproc is None else [
        "-m", "torch.distributed.run", "--nproc_per_node", str(nproc), "--master_addr", "127.0.0.1",
        "--master_port", str(_free_port())]
    return subprocess.run([sys.executable, *launcher, str(script), str(out), str(epochs), mode],
                          env=env, capture_output=True, text=True, timeout=timeout)


def _check(done):
    assert done.returncode == 0, done.stderr[-3000:]


def _same_weights(a, b):
    wa, wb = torch.load(a), torch.load(b)
    assert wa.keys() == wb.keys()
    for k in wa:
        torch.testing.assert_close(wa[k], wb[k], rtol=1e-4, atol=1e-5)


def _history(path):
    return json.loads(path.read_text())


def _same_history(a, b):
    assert a.keys() == b.keys()
    for k in ("train_loss", "train_acc", "test_acc", "point_train_loss"):
        assert a[k] == pytest.approx(b[k], rel=1e-5, abs=1e-6), k


def test_shard_splits_contiguously_and_weights_make_the_global_mean():
    X, y = torch.arange(14.).reshape(7, 2), torch.arange(7)
    parts = [shard(X, y, r, 3)[1].tolist() for r in range(3)]
    assert parts == [[0, 1, 2], [3, 4], [5, 6]]
    # Averaging the ranks' weighted mean losses gives the global mean.
    values = torch.randn(7)
    ranks = [values[3 * 0:3], values[3:5], values[5:7]]
    averaged = sum(loss_weight(len(v), 7, 3) * v.mean() for v in ranks) / 3
    torch.testing.assert_close(averaged, values.mean())
    with pytest.raises(ValueError, match="a batch of 2 examples cannot be split between 3 ranks"):
        shard(X[:2], y[:2], 0, 3)


def test_a_world_of_one_is_a_no_op():
    run = DistributedRun(torch.device("cpu"))
    assert (run.active, run.world_size, run.sum_([1.0])) == (False, 1, [1.0])


def test_two_processes_match_one_and_only_rank0_writes_and_resume_works(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    _check(_run(tmp_path, one, 3))
    # Two processes: two epochs, then resumed to the third.
    _check(_run(tmp_path, two, 2, nproc=2))
    assert _history(two / "history-rank0.json")["world_size"] == 2
    _check(_run(tmp_path, two, 3, nproc=2))
    _same_weights(one / "weights-rank0.pt", two / "weights-rank0.pt")
    _same_weights(two / "weights-rank0.pt", two / "weights-rank1.pt")
    h1, h2 = _history(one / "history-rank0.json"), _history(two / "history-rank0.json")
    assert (h1["world_size"], h2["world_size"]) == (1, 2)
    h1.pop("world_size"), h2.pop("world_size")
    _same_history(h1, h2)
    _same_history(h2, {k: v for k, v in _history(two / "history-rank1.json").items() if k != "world_size"})
    # Callbacks and checkpoints: rank 0 alone.
    assert not (two / "written-by-rank1.txt").exists()
    assert (two / "written-by-rank0.txt").read_text() == "3"
    assert sorted(p.name for p in (two / "ckpt").iterdir()) == sorted(p.name for p in (one / "ckpt").iterdir())


@pytest.mark.slow
def test_a_moving_average_runs_on_every_rank_and_is_evaluated_alike(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    _check(_run(tmp_path, one, 2, mode="ema"))
    _check(_run(tmp_path, two, 2, nproc=2, mode="ema"))
    for rank in (0, 1):
        _same_weights(one / "weights-rank0.pt", two / f"weights-rank{rank}.pt")
    h1, h2 = _history(one / "history-rank0.json"), _history(two / "history-rank0.json")
    h1.pop("world_size"), h2.pop("world_size")
    _same_history(h1, h2)  # the test accuracies are the average's, summed over both ranks' shares
    assert not (two / "written-by-rank1.txt").exists()


@pytest.mark.slow  # waits for torchrun to notice the dead rank
def test_a_failing_rank_ends_the_job_with_its_error(tmp_path):
    done = _run(tmp_path, tmp_path / "fail", 1, nproc=2, mode="fail")
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("[rank1]") and "Error" in line]
    assert errors, done.stderr[-3000:]


# --- the command: the same `cnnguide train` on one process and under torchrun with two -------------

COMMAND = ["train", "lenet", "--train-size", "384", "--test-size", "200", "--batch-size", "64", "--lr", "0.3",
           "--device", "cpu", "--quiet"]


def _cnnguide(cwd, *args, launcher=(), timeout=240):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "CNNGUIDE_DIST_TIMEOUT": "60"}
    env.pop("WORLD_SIZE", None)
    done = subprocess.run([sys.executable, *launcher, "-m", "cnnguide", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def _weights(folder):
    from safetensors.torch import load_file

    *_, path = sorted(folder.glob("epoch-*.safetensors"))  # the last epoch (the previous one is kept too)
    return load_file(path)


@pytest.mark.slow  # three launches of torch: about a minute on two cores
def test_the_command_on_two_processes_writes_one_set_of_files_with_the_weights_of_one(tmp_path):
    _cnnguide(tmp_path, *COMMAND, "--epochs", "2", "--out", "one")
    # torchrun -m cnnguide for the first epoch, then --nproc-per-node resumes the second.
    torchrun = ["-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
                "--master_port", str(_free_port())]
    _cnnguide(tmp_path, *COMMAND, "--epochs", "1", "--out", "two", launcher=torchrun)
    assert json.loads((tmp_path / "two" / "metrics.json").read_text())["metadata"]["world_size"] == 2
    _cnnguide(tmp_path, *COMMAND, "--epochs", "2", "--out", "two", "--resume", "--nproc-per-node", "2")

    one, two = tmp_path / "one", tmp_path / "two"
    assert sorted(p.name for p in two.iterdir()) == sorted(p.name for p in one.iterdir())
    wa, wb = _weights(one), _weights(two)
    assert wa.keys() == wb.keys()
    for k in wa:
        torch.testing.assert_close(wa[k], wb[k], rtol=1e-4, atol=1e-5)
    ma, mb = (json.loads((f / "metrics.json").read_text()) for f in (one, two))
    assert (ma["metadata"]["world_size"], mb["metadata"]["world_size"]) == (1, 2)
    for k in ("train_loss", "train_acc", "test_acc", "point_train_loss"):
        assert ma[k] == pytest.approx(mb[k], rel=1e-5, abs=1e-6), k
    assert len(json.loads((two / "run.json").read_text())["commands"]) == 2  # the first run and its resumption


def test_nproc_per_node_is_refused_inside_a_distributed_run(monkeypatch, capsys):
    from tests._commands import usage_error

    monkeypatch.setenv("WORLD_SIZE", "2")
    line = usage_error([*COMMAND, "--nproc-per-node", "2"], capsys)
    assert "torchrun already started the processes" in line


@pytest.mark.slow
def test_sync_batchnorm_on_cpus_is_refused_by_name(tmp_path):
    done = _run(tmp_path, tmp_path / "sync", 1, nproc=2, mode="sync")
    assert done.returncode != 0
    assert "sync_batchnorm needs GPUs" in done.stderr, done.stderr[-3000:]


def test_compare_runs_refuses_a_folder_that_holds_no_run(tmp_path):
    from cnnguide.cli.launch import compare_runs

    with pytest.raises(ValueError, match="holds no metrics.json"):
        compare_runs({1: tmp_path})


def test_nproc_per_node_must_be_spelt_out(capsys):
    from tests._commands import usage_error

    assert "unrecognized arguments: --nproc 2" in usage_error([*COMMAND, "--nproc", "2"], capsys)
