"""Chapter 1 models: shapes, the schedule, a tiny overfit, determinism, checkpoints, metrics."""

import numpy as np
import pytest
import torch

from facevae.cnn import TASKS, build_cnn, load_cnn
from facevae.cnn_train import (
    TrainConfig,
    lr_at_epoch,
    predict,
    train_and_predict,
    train_cnn,
)
from facevae.layers import checkpoint, count_parameters
from facevae.metrics import classification_metrics, confusion, regression_metrics
from facevae.names import pack_predictions, unpack_predictions
from facevae.runtime import Job, image_tensor, prepare

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


# --- a training job: from the face and split arrays to predictions --------------------------

CPU_JOB = Job(device=torch.device("cpu"), precision="fp32", threads=1)
FAST = {"batch_size": 8, "eval_batch_size": 5, "log_every": 1000, "lr_scale": 100}


def _table(n=32, seed=0):
    """n random faces with labels of every task, and a split of shuffled rows (so that a job
    reading the wrong rows, or the rows in order, predicts for other faces)."""
    rng = np.random.default_rng(seed)
    faces = {
        "images": rng.integers(0, 256, (n, 48, 48), dtype=np.uint8),
        "gender": rng.integers(0, 2, n),
        "ethnicity": rng.integers(0, 5, n),
        "age": rng.integers(1, 90, n),
    }
    order = rng.permutation(n)
    return faces, {"train": order[:20], "val": order[20:26], "test": order[26:]}


def test_train_and_predict_one_task_predicts_the_validation_and_test_faces():
    faces, split = _table()
    torch.manual_seed(0)
    model, history, predictions = train_and_predict(
        faces, split, "ethnicity", SMALL, FAST | {"epochs": 3, "seed": 1}, CPU_JOB
    )
    losses, epochs = np.array(history["batch_loss"]), np.array(history["batch_epoch"])
    assert losses[epochs == 2].mean() < 0.5 * losses[epochs == 0].mean()  # memorising
    assert len(history["val_metric"]) == 3 and history["parameters"] == count_parameters(model)
    assert history["precision"] == "fp32" and history["device"] == "cpu"
    assert set(predictions) == {"val", "test"}
    for part, arrays in predictions.items():
        assert set(arrays) == {"ethnicity"}
        found = arrays["ethnicity"]
        assert np.array_equal(found["index"], split[part])
        assert np.array_equal(found["y_true"], faces["ethnicity"][split[part]])
        assert found["prob"].shape == (len(split[part]), 5)
        np.testing.assert_allclose(found["prob"].sum(1), 1, rtol=1e-5)
        assert np.array_equal(found["y_pred"], found["prob"].argmax(1))
    # the predictions are the trained model's on those faces, in that order
    x_test = image_tensor(faces["images"][split["test"]], "cpu")
    assert np.array_equal(
        predictions["test"]["ethnicity"]["y_pred"], predict(model, x_test, 4).argmax(1)
    )


def test_train_and_predict_trains_as_the_loop_does_by_hand():
    faces, split = _table()
    train = FAST | {"epochs": 2, "seed": 3, "augment": {"flip": 0.5, "shift": 2, "shear": 0.1}}
    torch.manual_seed(0)
    model, history, _ = train_and_predict(faces, split, "gender", SMALL, train, CPU_JOB)
    torch.manual_seed(0)
    direct = prepare(build_cnn("gender", **SMALL), torch.device("cpu"))
    xy = {
        p: (
            image_tensor(faces["images"][split[p]], "cpu"),
            torch.as_tensor(faces["gender"][split[p]]),
        )
        for p in ("train", "val")
    }
    expected = train_cnn(direct, "gender", xy["train"], xy["val"], TrainConfig(**train))
    assert history["batch_loss"] == expected["batch_loss"]
    assert all(torch.equal(v, direct.state_dict()[k]) for k, v in model.state_dict().items())


def test_train_and_predict_starts_the_age_regressor_at_the_mean_training_age():
    faces, split = _table()
    torch.manual_seed(0)
    model, history, predictions = train_and_predict(
        faces, split, "age", SMALL, FAST | {"epochs": 1, "seed": 0, "lr_scale": 1e12}, CPU_JOB
    )
    mean_age = faces["age"][split["train"]].mean()
    assert model.head[-1].bias.item() == pytest.approx(mean_age)  # lr ~ 0: still where it began
    found = predictions["val"]["age"]
    assert found["y_pred"].shape == (6,) and "prob" not in found
    assert np.array_equal(found["y_true"], faces["age"][split["val"]])


def test_train_and_predict_multitask_gives_each_task_its_own_predictions():
    faces, split = _table()
    tasks = ("gender", "age")
    torch.manual_seed(0)
    model, history, predictions = train_and_predict(
        faces, split, tasks, SMALL, FAST | {"epochs": 1, "seed": 0, "lr_scale": 1e12}, CPU_JOB
    )
    assert set(model.heads) == set(tasks) and set(history["val_metrics"]) == set(tasks)
    mean_age = faces["age"][split["train"]].mean()
    assert model.heads["age"][-1].bias.item() == pytest.approx(mean_age)
    for part in ("val", "test"):
        assert set(predictions[part]) == set(tasks)
        for task in tasks:
            found = predictions[part][task]
            assert np.array_equal(found["index"], split[part])
            assert np.array_equal(found["y_true"], faces[task][split[part]])
        assert predictions[part]["gender"]["prob"].shape == (len(split[part]), 2)
        assert predictions[part]["age"]["y_pred"].shape == (len(split[part]),)
    packed = pack_predictions(predictions)
    assert len(packed) == 2 * (4 + 3)  # per part: gender's four arrays, age's three
    assert np.array_equal(packed["test.age.y_pred"], predictions["test"]["age"]["y_pred"])
    assert np.array_equal(packed["val.gender.index"], split["val"])
    for part in ("val", "test"):
        for task in tasks:
            unpacked = unpack_predictions(packed, part, task)
            assert unpacked.keys() == predictions[part][task].keys()
            for key, value in unpacked.items():
                assert np.array_equal(value, predictions[part][task][key])
