"""Progress of a training job: rate and time left, its status file, its console lines, the
status command, and that it changes nothing in the training."""

import io
import json
import logging
import os
import subprocess
import sys
import time

import pytest
import torch

from facevae import status
from facevae.cnn import build_cnn
from facevae.cnn_train import TrainConfig, train_cnn
from facevae.files import read_json, write_json
from facevae.progress import Progress, clock_time, duration, status_path
from facevae.vae import build_vae
from facevae.vae_train import VAETrainConfig, train_vae

T0 = 1_700_000_000.0  # a fake clock's start (unix seconds)


class FakeClock:
    def __init__(self, t=T0):
        self.t = t

    def __call__(self):
        return self.t


def _progress(tmp_path, clock, epochs=10, start_epoch=0, name="train_vae z4 seed0"):
    stream = io.StringIO()
    progress = Progress(
        name,
        epochs=epochs,
        batches=10,
        images=1000,
        status=tmp_path / "train.progress.json",
        clock=clock,
        stream=stream,
    )
    progress.begin(start_epoch)
    return progress, stream


@pytest.mark.parametrize(
    "seconds, coarse, text",
    [
        (0, False, "0 s"),
        (-3, False, "0 s"),
        (44.6, False, "45 s"),
        (59.6, False, "1 min 00 s"),
        (400, False, "6 min 40 s"),
        (400, True, "6 min"),
        (3600, False, "1 h 00 min"),
        (7500, False, "2 h 05 min"),
        (7500, True, "2 h 05 min"),
        (3 * 86400 + 4 * 3600 + 59, False, "3 d 04 h"),
    ],
)
def test_duration(seconds, coarse, text):
    assert duration(seconds, coarse=coarse) == text


def test_status_path_is_beside_the_log(tmp_path):
    log = tmp_path / "logs" / "vae" / "train_z256_b0.01_seed0.log"
    assert status_path(log) == log.with_name("train_z256_b0.01_seed0.progress.json")


def test_time_left_on_a_fake_clock(tmp_path):
    clock = FakeClock()
    progress, _ = _progress(tmp_path, clock)
    progress.epoch_started(0)
    clock.t += 5
    tail = progress.batch_done(0, 5)  # 500 images in 5 s; 9500 to go, no validation seen yet
    assert progress.state()["images_per_s"] == pytest.approx(100)
    assert progress.state()["seconds_left"] == pytest.approx(95)
    assert tail == f"| 100 images/s, 1 min 35 s left (ends {clock_time(clock.t + 95, clock.t)})"

    clock.t += 5
    progress.trained(0)
    clock.t += 2  # validation: 2 s per epoch from now on
    progress.epoch_done(0)
    state = progress.state()
    assert state["seconds_left"] == pytest.approx(9 * 10 + 9 * 2)
    assert state["expected_end"] == pytest.approx(clock.t + 108)

    clock.t += 1  # the resume checkpoint: counted with the validation
    progress.epoch_started(1)
    clock.t += 5
    progress.batch_done(1, 5)  # 8500 images at 100/s, 9 validations of (2 + 1) s
    assert progress.state()["seconds_left"] == pytest.approx(85 + 9 * 3)


def test_status_file_stays_valid_json(tmp_path):
    clock = FakeClock()
    progress, _ = _progress(tmp_path, clock, epochs=2)
    path = tmp_path / "train.progress.json"
    first = read_json(path)
    assert first["epoch"] == 1 and first["seconds_left"] is None and not first["finished"]
    for epoch in range(2):
        progress.epoch_started(epoch)
        for batch in (5, 10):
            clock.t += 1
            progress.batch_done(epoch, batch)
            state = json.loads(path.read_text())
            assert state["epoch"] == epoch + 1 and state["batch"] == batch
            assert state["updated"] == clock.t
        progress.trained(epoch)
        clock.t += 1
        progress.epoch_done(epoch)
    progress.finish()
    state = read_json(path)
    assert set(state) >= {
        "name", "pid", "host", "started", "updated", "epoch", "epochs", "batch", "batches",
        "images_per_s", "seconds_left", "expected_end", "finished",
    }  # fmt: skip
    assert state["finished"] and state["epoch"] == state["epochs"] == 2
    assert state["pid"] == os.getpid() and state["started"] == T0
    assert state["images_per_s"] == pytest.approx(500) and state["seconds_left"] == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_one_stderr_line_per_epoch_and_a_final_one(tmp_path):
    clock = FakeClock()
    progress, stream = _progress(tmp_path, clock, epochs=3)
    for epoch in range(3):
        progress.epoch_started(epoch)
        clock.t += 10
        progress.batch_done(epoch, 10)  # log lines print nothing
        progress.trained(epoch)
        progress.epoch_done(epoch)
    progress.finish()
    lines = stream.getvalue().splitlines()
    ends = clock_time(T0 + 10 + 20, T0 + 10)
    assert lines == [
        f"[train_vae z4 seed0] epoch 1/3: 100 images/s, about 20 s left (ends {ends})",
        f"[train_vae z4 seed0] epoch 2/3: 100 images/s, about 10 s left (ends {ends})",
        "[train_vae z4 seed0] epoch 3/3: 100 images/s, training done",
        "[train_vae z4 seed0] finished: 3 epochs in 30 s, 100 images/s",
    ]


def test_a_resumed_job_counts_only_its_own_epochs(tmp_path):
    clock = FakeClock()
    progress, stream = _progress(tmp_path, clock, epochs=10, start_epoch=4)
    assert read_json(tmp_path / "train.progress.json")["epoch"] == 5
    progress.epoch_started(4)
    clock.t += 10
    progress.trained(4)
    progress.epoch_done(4)
    state = progress.state()
    assert state["images_per_s"] == pytest.approx(100)  # 1000 images in 10 s, not 5000
    assert state["seconds_left"] == pytest.approx(5 * 10)  # epochs 6 to 10
    assert state["start_epoch"] == 4 and state["epoch"] == 5
    for epoch in range(5, 10):
        progress.epoch_started(epoch)
        clock.t += 10
        progress.trained(epoch)
        progress.epoch_done(epoch)
    progress.finish()
    last = stream.getvalue().splitlines()[-1]
    assert last == "[train_vae z4 seed0] finished: 6 epochs in 1 min 00 s, 100 images/s " + (
        "(resumed after epoch 4)"
    )


# The status command.


def _job(results, run, name, clock, finished=False):
    folder = results / run / "logs" / "vae"
    progress = Progress(
        name, epochs=4, batches=10, images=1000, status=folder / f"{name}.progress.json",
        clock=clock, stream=io.StringIO(),
    )  # fmt: skip
    progress.begin(0)
    progress.epoch_started(0)
    clock.t += 10
    progress.trained(0)
    progress.epoch_done(0)
    if finished:
        progress.finish()
    return folder / f"{name}.progress.json"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_status_lists_running_and_stalled_jobs(tmp_path, capsys):
    results, start = tmp_path / "results", time.time()
    _job(results, "cpu-age_gender", "live", FakeClock(start))  # all updated at start + 10 s
    dead = _job(results, "cpu-age_gender", "dead", FakeClock(start))
    write_json(dead, read_json(dead) | {"pid": _dead_pid()})
    silent = _job(results, "demo-synthetic", "silent", FakeClock(start))
    write_json(silent, read_json(silent) | {"updated": start + 10 - 11 * 60})
    _job(results, "demo-synthetic", "done", FakeClock(start), finished=True)

    text = status.report(results, now=start + 10)
    lines = text.splitlines()
    assert lines[0].split() == ["RUN", "JOB", "EPOCH", "IMAGES/S", "LEFT", "ENDS", "STATE"]
    rows = {line.split()[1]: line for line in lines[1:-1]}
    assert set(rows) == {"live", "dead", "silent"}
    assert rows["live"].split()[:5] == ["cpu-age_gender", "live", "1/4", "(25%)", "100"]
    assert "30 s" in rows["live"] and rows["live"].endswith("running")
    assert "stalled? (process" in rows["dead"] and "is gone" in rows["dead"]
    assert "stalled? (no update for 11 min 00 s)" in rows["silent"]
    assert (
        lines[-1] == "1 training job running, 1 finished, 2 stalled?; --all lists the finished ones"
    )

    assert status.main(["--results", str(results), "--all"]) == 0
    out = capsys.readouterr().out.splitlines()
    done = [line for line in out if line.split()[1:2] == ["done"]]
    assert len(done) == 1 and "4/4 (100%)" in done[0] and done[0].endswith("finished")


def test_status_with_nothing_running(tmp_path, capsys):
    assert status.main(["--results", str(tmp_path / "none")]) == 0
    assert capsys.readouterr().out == "no training job is running (0 finished)\n"
    results, clock = tmp_path / "results", FakeClock(time.time())
    _job(results, "run", "done", clock, finished=True)
    assert status.report(results, now=clock.t) == (
        "no training job is running (1 finished); --all lists the finished ones"
    )


# The training loops with and without progress.


def _images(n, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 48, 48, generator=gen)


def test_vae_training_is_unchanged_by_progress(tmp_path, caplog):
    x, x_val = _images(40), _images(8, seed=1)
    cfg = VAETrainConfig(epochs=2, batch_size=16, seed=3, log_every=1)
    channels = {"channels": (4, 8, 8), "hidden": (16,)}
    torch.manual_seed(0)
    plain = build_vae(latent=3, **channels)
    expected = train_vae(plain, x, x_val, cfg)

    torch.manual_seed(0)
    watched = build_vae(latent=3, **channels)
    path, stream = tmp_path / "train.progress.json", io.StringIO()
    progress = Progress("train_vae tiny", 2, batches=3, images=40, status=path, stream=stream)
    with caplog.at_level(logging.INFO, logger="facevae.vae_train"):
        history = train_vae(watched, x, x_val, cfg, progress=progress)
    for key in ("batch_loss", "val_recon", "val_kl"):
        assert history[key] == expected[key], key
    assert all(torch.equal(v, watched.state_dict()[k]) for k, v in plain.state_dict().items())
    assert read_json(path)["finished"] and read_json(path)["epoch"] == 2
    assert len(stream.getvalue().splitlines()) == 3  # two epochs and the end
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("epoch 2/2 batch 3/3 loss ") and " images/s, " in m for m in messages)
    assert any(m.startswith("epoch 1 done of 2: loss ") and " left (ends " in m for m in messages)


def test_resumed_vae_status_starts_at_the_saved_epoch(tmp_path):
    x = _images(32)
    cfg = dict(batch_size=16, seed=2)
    resume = tmp_path / "resume.pt"
    model = build_vae(latent=3, channels=(4, 8, 8), hidden=(16,))
    train_vae(model, x, x, VAETrainConfig(epochs=2, **cfg), resume_path=resume)
    path, stream = tmp_path / "train.progress.json", io.StringIO()
    progress = Progress("train_vae tiny", 3, batches=2, images=32, status=path, stream=stream)
    model = build_vae(latent=3, channels=(4, 8, 8), hidden=(16,))
    train_vae(model, x, x, VAETrainConfig(epochs=3, **cfg), resume_path=resume, progress=progress)
    state = read_json(path)
    assert state["start_epoch"] == 2 and state["finished"] and state["epoch"] == 3
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[train_vae tiny] epoch 3/3: ")
    assert lines[-1].endswith("(resumed after epoch 2)")


def test_cnn_training_is_unchanged_by_progress(tmp_path, caplog):
    x = _images(40)
    y = torch.randint(0, 2, (40,), generator=torch.Generator().manual_seed(1))
    cfg = TrainConfig(epochs=2, batch_size=16, seed=3, log_every=2)
    small = {"channels": (8, 16, 16), "hidden": 32}
    torch.manual_seed(0)
    plain = build_cnn("gender", **small)
    expected = train_cnn(plain, "gender", (x, y), (x[:8], y[:8]), cfg)

    torch.manual_seed(0)
    watched = build_cnn("gender", **small)
    path, stream = tmp_path / "train.progress.json", io.StringIO()
    progress = Progress("train_cnn gender", 2, batches=3, images=40, status=path, stream=stream)
    with caplog.at_level(logging.INFO, logger="facevae.cnn_train"):
        history = train_cnn(watched, "gender", (x, y), (x[:8], y[:8]), cfg, progress)
    assert {k: v for k, v in history.items() if k != "epoch_seconds"} == {
        k: v for k, v in expected.items() if k != "epoch_seconds"
    }
    assert all(torch.equal(v, watched.state_dict()[k]) for k, v in plain.state_dict().items())
    state = read_json(path)
    assert state["finished"] and state["epoch"] == 2 and state["batch"] == 3
    assert stream.getvalue().splitlines()[-1].startswith("[train_cnn gender] finished: 2 epochs")
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("epoch 1/2 batch 2/3 loss ") and " | " in m for m in messages)
    assert any(m.startswith("epoch 2 done of 2: lr ") for m in messages)
