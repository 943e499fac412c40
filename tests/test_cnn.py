"""Chapter 1 models: shapes, the schedule, a tiny overfit, determinism, checkpoints, metrics."""

import numpy as np
import pytest
import torch

from facevae.cnn import TASKS, build_cnn, load_cnn
from facevae.cnn_train import TrainConfig, lr_at_epoch, predict, train_cnn
from facevae.layers import checkpoint, count_parameters
from facevae.metrics import classification_metrics, confusion, regression_metrics
from facevae.runtime import prepare

SMALL = {"channels": (8, 16, 16), "hidden": 32}


@pytest.mark.parametrize(
    ("task", "shape"), [("gender", (3, 2)), ("ethnicity", (3, 5)), ("age", (3,))]
)
def test_output_shapes(task, shape):
    model = build_cnn(task)
    assert model(torch.rand(3, 1, 48, 48)).shape == shape


def test_schedule_is_the_originals():
    assert lr_at_epoch(0, 2000) == pytest.approx(1 / 2000)
    assert lr_at_epoch(9, 2000) == pytest.approx(1 / 20000)


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


def test_bf16_training_still_learns():
    torch.manual_seed(0)
    model = prepare(build_cnn("gender", **SMALL), torch.device("cpu"))
    x, y = _tiny_data("gender", 16)
    cfg = TrainConfig(epochs=80, batch_size=16, lr_scale=100, log_every=1000, precision="bf16")
    history = train_cnn(model, "gender", (x, y), (x, y), cfg)
    assert history["val_metric"][-1] == 1.0


def test_multitask_model_has_a_head_per_task_on_one_trunk(tmp_path):
    from facevae.cnn import build_multitask
    from facevae.files import save_torch

    model = build_multitask(("gender", "ethnicity", "age"), **SMALL)
    out = model(torch.rand(3, 1, 48, 48))
    assert {t: tuple(o.shape) for t, o in out.items()} == {
        "gender": (3, 2),
        "ethnicity": (3, 5),
        "age": (3,),
    }
    # one trunk: the parameters are the extractor's once plus one head per task
    single = build_cnn("gender", **SMALL)
    trunk = count_parameters(single.features)
    heads = {t: count_parameters(model.heads[t]) for t in model.heads}
    assert count_parameters(model) == trunk + sum(heads.values())
    assert heads["gender"] == count_parameters(single.head)
    path = tmp_path / "multi.pt"
    save_torch(path, checkpoint(model, task="multitask"))
    again = load_cnn(path)
    x = torch.rand(2, 1, 48, 48)
    model.eval()
    assert all(torch.equal(again(x)[t], model(x)[t]) for t in out)


def test_multitask_loss_is_the_weighted_sum_and_fits_a_tiny_set():
    from facevae.cnn import build_multitask
    from facevae.cnn_train import task_loss

    torch.manual_seed(0)
    tasks = ("gender", "ethnicity", "age")
    model = build_multitask(tasks, **SMALL)
    x = _tiny_data("gender", 16)[0]
    y = {t: _tiny_data(t, 16, seed=i + 1)[1] for i, t in enumerate(tasks)}
    cfg = TrainConfig(epochs=1, batch_size=16, log_every=1000, lr_scale=1e12, age_weight=0.1)
    before = {t: o.detach() for t, o in model.train()(x).items()}  # lr ~ 0: one step moves nothing
    expected = sum(
        (0.1 if t == "age" else 1.0) * task_loss(t, before[t], y[t]).item() for t in tasks
    )
    history = train_cnn(model, tasks, (x, y), (x, y), cfg)
    assert history["batch_loss"][0] == pytest.approx(expected, rel=1e-4)
    assert set(history["val_metrics"]) == set(tasks) and history["val_metric"] == []
    torch.manual_seed(0)
    model = build_multitask(tasks, **SMALL)
    cfg = TrainConfig(epochs=80, batch_size=16, log_every=1000, lr_scale=100, age_weight=0.01)
    history = train_cnn(model, tasks, (x, y), (x, y), cfg)
    assert history["val_metrics"]["gender"][-1] == history["val_metrics"]["ethnicity"][-1] == 1.0
    assert history["val_metrics"]["age"][-1] < 0.2 * history["val_metrics"]["age"][0]
    outputs = predict(model, x, 8)
    assert set(outputs) == set(tasks) and outputs["age"].shape == (16,)
