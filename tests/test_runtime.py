"""The runtime every torch job starts with: device, precision, layout, optimizer, allocator."""

import subprocess
import sys

import pytest
import torch

from facevae.cnn import build_cnn
from facevae.runtime import (
    Diverged,
    FiniteSteps,
    adam,
    autocast,
    check_skipped,
    pick_device,
    prepare,
    resolve_precision,
    start_job,
)

SMALL = {"channels": (8, 16, 16), "hidden": 32}


def test_adam_is_fused_where_torch_can():
    model = build_cnn("gender", **SMALL)
    assert adam(model.parameters(), 1e-3).defaults["fused"]
    assert not adam([torch.zeros(2, device="meta")], 1e-3).defaults["fused"]


def test_device_choice():
    assert pick_device("cpu").type == "cpu"
    assert pick_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="no CUDA"):
            pick_device("cuda")


def test_precision_and_layout_helpers():
    cpu = torch.device("cpu")
    assert resolve_precision("fp32", cpu) == "fp32"
    assert resolve_precision("bf16", cpu) == "bf16"
    assert resolve_precision("auto", cpu, cache=None) in ("bf16", "fp32")
    model = prepare(build_cnn("gender", **SMALL), cpu)
    weight = model.features.blocks[1][0].weight
    assert weight.is_contiguous(memory_format=torch.channels_last)
    with autocast(cpu, "bf16"):
        assert model(torch.rand(2, 1, 48, 48)).dtype == torch.bfloat16
    with autocast(cpu, "fp32"):
        assert model(torch.rand(2, 1, 48, 48)).dtype == torch.float32


def test_start_job_sets_threads_seed_device_and_precision():
    before = torch.get_num_threads()
    try:
        job = start_job(threads=1, seed=123, device="cpu", precision="fp32")
        assert (job.device.type, job.precision, job.threads) == ("cpu", "fp32", 1)
        assert torch.get_num_threads() == 1
        first = torch.rand(3)
        start_job(threads=1, seed=123, device="cpu", precision="fp32")
        assert torch.equal(first, torch.rand(3))  # the seed is set
        assert start_job(threads=1, seed=0, device="auto", precision="auto").precision in (
            "bf16",
            "fp32",
        )
    finally:
        torch.set_num_threads(before)


PAGE_FAULTS_OF_TRAINING_STEPS = """
import resource, sys, torch
from facevae.runtime import keep_freed_memory
from facevae.layers import conv_block
kept = keep_freed_memory() if sys.argv[1] == "keep" else False
block, x = conv_block(1, 64), torch.rand(64, 1, 48, 48)  # a 38 MB activation per step
block(x).square().mean().backward()  # first step: everything is new
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    block(x).square().mean().backward()
print(kept, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc setting")
def test_kept_memory_saves_page_faults():
    """Counted, not timed: later training steps fault far fewer fresh pages in."""

    def run(mode):
        args = [sys.executable, "-c", PAGE_FAULTS_OF_TRAINING_STEPS, mode]
        kept, faults = subprocess.run(
            args, check=True, capture_output=True, text=True
        ).stdout.split()
        return kept == "True", int(faults)

    kept, faults_kept = run("keep")
    _, faults_default = run("default")
    assert kept
    # Measured here: 14,000-30,000 against 106,000-180,000 (a 38 MB block is 9,216 pages).
    assert faults_kept < faults_default / 2


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_a_step_that_is_not_finite_leaves_the_weights_alone(optimizer):
    """A finite step is exactly the plain optimizer's; a NaN loss changes no weight and no
    optimizer state, and is counted once."""
    import copy

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2)
    plain = copy.deepcopy(model)
    make = {
        "adam": lambda params: adam(params, 1e-2),
        "sgd": lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
    }[optimizer]
    guarded, reference = make(model.parameters()), make(plain.parameters())
    steps = FiniteSteps(guarded, torch.device("cpu"))
    x = torch.randn(8, 4)

    def plain_step():
        reference.zero_grad()
        plain(x).pow(2).sum().backward()
        reference.step()

    same = lambda: all(torch.equal(a, b) for a, b in zip(model.parameters(), plain.parameters()))  # noqa: E731
    for _ in range(3):
        steps.step(model(x).pow(2).sum())
        plain_step()
    assert same()
    steps.step(model(x).pow(2).sum() * float("nan"))  # skipped: the weights stay as they were
    steps.step(model(x).pow(2).sum() * float("inf"))
    assert same() and steps.skipped() == 2 and steps.skipped() == 0
    steps.step(model(x).pow(2).sum())  # and training goes on as if the bad steps never were
    plain_step()
    assert same()


def test_an_epoch_with_too_many_skipped_steps_stops_training(caplog):
    import logging

    log = logging.getLogger("test")
    check_skipped(0, 100, 0, log)
    assert not caplog.records
    check_skipped(3, 100, 4, log)  # a few bad batches: a warning, training goes on
    assert "epoch 5: 3 of 100 steps skipped" in caplog.text
    with pytest.raises(Diverged, match="11 of 100 steps of epoch 2 .* Lower the learning rate"):
        check_skipped(11, 100, 1, log)
