"""Chapter 1 models: shapes, the schedule, a tiny overfit, determinism, checkpoints, metrics."""

import subprocess
import sys

import numpy as np
import pytest
import torch

from facevae.device import (
    adam,
    autocast,
    cpu_bf16_pays,
    pick_device,
    prepare,
    resolve_precision,
)
from facevae.metrics import classification_metrics, confusion, regression_metrics
from facevae.models import TASKS, build_cnn, checkpoint, conv_block, count_parameters, load_cnn
from facevae.train import TrainConfig, lr_at_epoch, predict, train_cnn

SMALL = {"channels": (8, 16, 16), "hidden": 32}


@pytest.mark.parametrize(
    ("task", "shape"), [("gender", (3, 2)), ("ethnicity", (3, 5)), ("age", (3,))]
)
def test_output_shapes(task, shape):
    model = build_cnn(task)
    assert model(torch.rand(3, 1, 48, 48)).shape == shape


def test_feature_map_shapes():
    maps = build_cnn("gender").features.feature_maps(torch.rand(2, 1, 48, 48))
    assert [tuple(m.shape) for m in maps] == [(2, 32, 24, 24), (2, 64, 12, 12), (2, 128, 6, 6)]


def test_block_equals_the_originals_order():
    """Pooling before the ReLU (for speed) gives the original conv -> ReLU -> pool -> BN block's
    outputs and gradients, with the same parameter names."""
    torch.manual_seed(0)
    ours = conv_block(3, 8)
    conv, pool, relu, norm = ours
    original = torch.nn.Sequential(conv, relu, pool, norm)
    assert [name for name, _ in ours.named_parameters()] == [
        name for name, _ in original.named_parameters()
    ]
    x = torch.randn(4, 3, 12, 12)
    out = ours(x)
    torch.testing.assert_close(out, original(x))
    (grad,) = torch.autograd.grad(out.square().sum(), conv.weight)
    (grad_original,) = torch.autograd.grad(original(x).square().sum(), conv.weight)
    torch.testing.assert_close(grad, grad_original)


def test_adam_is_fused_where_torch_can():
    model = build_cnn("gender", **SMALL)
    assert adam(model.parameters(), 1e-3).defaults["fused"]
    assert not adam([torch.zeros(2, device="meta")], 1e-3).defaults["fused"]


def test_schedule_is_the_originals():
    assert lr_at_epoch(0, 2000) == pytest.approx(1 / 2000)
    assert lr_at_epoch(9, 2000) == pytest.approx(1 / 20000)


def test_device_choice():
    assert pick_device("cpu").type == "cpu"
    assert pick_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="no CUDA"):
            pick_device("cuda")


def _tiny_data(task, n, seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, 48, 48, generator=gen)
    if TASKS[task]["classify"]:
        y = torch.randint(0, TASKS[task]["outputs"], (n,), generator=gen)
    else:
        y = torch.rand(n, generator=gen) * 80 + 1
    return x, y


@pytest.mark.parametrize("task", ["gender", "ethnicity"])
def test_overfits_one_tiny_batch(task):
    torch.manual_seed(0)
    model = build_cnn(task, **SMALL)
    x, y = _tiny_data(task, 16)
    cfg = TrainConfig(epochs=80, batch_size=16, lr_scale=100, log_every=1000)
    history = train_cnn(model, task, (x, y), (x, y), cfg)
    assert history["batch_loss"][-1] < 0.05 < history["batch_loss"][0]
    assert history["val_metric"][-1] == 1.0  # random labels memorised


def test_seeded_training_is_repeatable():
    def run():
        torch.manual_seed(3)
        model = build_cnn("age", **SMALL)
        x, y = _tiny_data("age", 64)
        cfg = TrainConfig(epochs=2, batch_size=16, seed=3, log_every=1000)
        history = train_cnn(model, "age", (x[:48], y[:48]), (x[48:], y[48:]), cfg)
        return history, predict(model, x, 32)

    (first, out1), (second, out2) = run(), run()
    assert first["batch_loss"] == second["batch_loss"]
    assert first["val_metric"] == second["val_metric"]
    assert torch.equal(out1, out2)


def test_checkpoint_rebuilds_the_model(tmp_path):
    model = build_cnn("ethnicity", **SMALL).eval()
    torch.save(checkpoint(model, task="ethnicity"), tmp_path / "m.pt")
    loaded = load_cnn(tmp_path / "m.pt")
    x = torch.rand(4, 1, 48, 48)
    assert torch.equal(model(x), loaded(x))
    assert count_parameters(loaded) == count_parameters(model)


def test_classification_metrics_by_hand():
    y_true = np.array([0, 0, 0, 1, 1, 2])
    y_pred = np.array([0, 0, 1, 1, 0, 2])
    m = classification_metrics(y_true, y_pred, ["a", "b", "c"])
    assert m["test_accuracy"] == pytest.approx(4 / 6)
    assert m["class"]["a"] == {
        "precision": pytest.approx(2 / 3),
        "recall": pytest.approx(2 / 3),
        "f1": pytest.approx(2 / 3),
        "support": 3,
    }
    assert m["class"]["b"]["precision"] == pytest.approx(1 / 2)
    assert m["class"]["c"]["f1"] == 1.0
    assert m["test_majority_accuracy"] == pytest.approx(3 / 6)
    assert confusion(y_true, y_pred, 3).tolist() == [[2, 1, 0], [1, 1, 0], [0, 0, 1]]


def test_regression_metrics_by_hand():
    m = regression_metrics([10, 20, 30], [12, 20, 26])
    assert m["test_mae"] == pytest.approx(2.0)
    assert m["test_rmse"] == pytest.approx(np.sqrt((4 + 0 + 16) / 3))
    assert m["test_bias"] == pytest.approx(-2 / 3)


def test_precision_and_layout_helpers():
    cpu = torch.device("cpu")
    assert resolve_precision("fp32", cpu) == "fp32"
    assert resolve_precision("bf16", cpu) == "bf16"
    assert resolve_precision("auto", cpu) in ("bf16", "fp32")
    # bf16 pays on AMX; AVX-512 BF16 alone runs it slower than fp32 (see cpu_bf16_pays).
    assert cpu_bf16_pays(" fpu avx512f avx512_bf16 amx_bf16 amx_tile amx_int8")
    assert not cpu_bf16_pays(" fpu avx512f avx512_bf16 avx512_fp16")
    assert not cpu_bf16_pays("")
    model = prepare(build_cnn("gender", **SMALL), cpu)
    weight = model.features.blocks[1][0].weight
    assert weight.is_contiguous(memory_format=torch.channels_last)
    with autocast(cpu, "bf16"):
        assert model(torch.rand(2, 1, 48, 48)).dtype == torch.bfloat16
    with autocast(cpu, "fp32"):
        assert model(torch.rand(2, 1, 48, 48)).dtype == torch.float32


def test_bf16_training_still_learns():
    torch.manual_seed(0)
    model = prepare(build_cnn("gender", **SMALL), torch.device("cpu"))
    x, y = _tiny_data("gender", 16)
    cfg = TrainConfig(epochs=80, batch_size=16, lr_scale=100, log_every=1000, precision="bf16")
    history = train_cnn(model, "gender", (x, y), (x, y), cfg)
    assert history["val_metric"][-1] == 1.0


PAGE_FAULTS_OF_TRAINING_STEPS = """
import resource, sys, torch
from facevae.device import keep_freed_memory
from facevae.models import conv_block
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
