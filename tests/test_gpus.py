"""facevae.gpus: one GPU per training job via lock files, simulated on the CPU."""

import subprocess
import sys
import threading
import time

import pytest

from facevae.gpus import claim_device


@pytest.fixture(autouse=True)
def no_scheduler(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)


def hold(name, n_devices, lock_dir, got, release):
    """A claimer thread: record its index, keep the device until `release` is set."""
    with claim_device(n_devices, lock_dir, poll_seconds=0.05) as index:
        got[name] = index
        release.wait(10)


def start(*args):
    thread = threading.Thread(target=hold, args=args, daemon=True)
    thread.start()
    return thread


def wait_for(condition, seconds=5.0):
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        time.sleep(0.01)
    return condition()


def test_concurrent_claimers_get_different_devices_and_a_third_waits(tmp_path):
    got, release_first, release_rest = {}, threading.Event(), threading.Event()
    first = start("first", 2, tmp_path, got, release_first)
    second = start("second", 2, tmp_path, got, release_rest)
    assert wait_for(lambda: len(got) == 2)
    assert sorted(got.values()) == [0, 1]

    third = start("third", 2, tmp_path, got, release_rest)
    time.sleep(0.3)  # several polls: both devices are still held
    assert "third" not in got and third.is_alive()

    release_first.set()
    first.join(5)
    assert wait_for(lambda: "third" in got)
    assert got["third"] == got["first"]  # it gets the device the first gave back

    release_rest.set()
    for thread in (second, third):
        thread.join(5)
        assert not thread.is_alive()


def test_a_released_device_is_claimed_again(tmp_path):
    with claim_device(1, tmp_path) as index:
        assert index == 0
    with claim_device(1, tmp_path) as index:
        assert index == 0


def test_claims_from_separate_processes_exclude_each_other(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from facevae.gpus import claim_device\n"
            f"with claim_device(1, {str(tmp_path)!r}) as index:\n"
            "    print(index, flush=True)\n"
            "    sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "0"
        with pytest.raises(TimeoutError):
            with claim_device(1, tmp_path, poll_seconds=0.05, timeout=0.3):
                pass
    finally:
        holder.stdin.close()
        holder.wait(10)
    with claim_device(1, tmp_path, timeout=1) as index:
        assert index == 0


def test_waiting_calls_on_wait_once_and_times_out(tmp_path):
    calls = []
    with claim_device(1, tmp_path):
        start_time = time.monotonic()
        with pytest.raises(TimeoutError, match="1 GPUs"):
            with claim_device(
                1, tmp_path, poll_seconds=0.05, timeout=0.2, on_wait=lambda: calls.append(1)
            ):
                pass
        assert 0.2 <= time.monotonic() - start_time < 2
    assert calls == [1]


@pytest.mark.parametrize("value", ["0", "", "GPU-1234"])
def test_scheduler_chosen_devices_are_left_alone(tmp_path, monkeypatch, value):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", value)
    with claim_device(4, tmp_path / "locks") as index:
        assert index is None
    assert not (tmp_path / "locks").exists()


def test_no_devices_means_no_claim(tmp_path):
    with claim_device(0, tmp_path / "locks") as index:
        assert index is None
    assert not (tmp_path / "locks").exists()


def test_pick_device_gives_parallel_cuda_jobs_their_own_gpu(tmp_path, monkeypatch):
    import torch

    from facevae.runtime import pick_device

    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    first = pick_device("auto", tmp_path)
    second = pick_device("auto", tmp_path)  # a second claim: the first device is held
    assert {str(first), str(second)} == {"cuda:0", "cuda:1"}
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    assert str(pick_device("cuda", tmp_path)) == "cuda"  # the scheduler chose already
