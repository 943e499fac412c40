"""Intervals and seed summaries of facevae.metrics on cases known in advance."""

import numpy as np
import pytest
from sklearn.metrics import f1_score

from facevae.metrics import (
    accuracy_by_group,
    age_bucket_labels,
    bootstrap_interval,
    cnn_metrics,
    group_accuracy,
    image_metrics,
    macro_f1,
    mean_intervals,
    over_seeds,
    paired_differences,
    seed_predictions,
    seed_summary,
    training_summary,
    variant_metrics,
)


def test_bootstrap_of_a_proportion_matches_the_normal_approximation():
    rng = np.random.default_rng(0)
    correct = (rng.random(10_000) < 0.9).astype(float)
    low, high = bootstrap_interval(lambda idx: correct[idx].mean(), len(correct), 2000, seed=1)
    half = 1.96 * np.sqrt(0.9 * 0.1 / len(correct))  # 0.0059
    assert low < correct.mean() < high
    assert (high - low) / 2 == pytest.approx(half, rel=0.1)


def test_bootstrap_is_seeded_and_degenerate_data_give_a_point():
    values = np.random.default_rng(0).normal(size=500)
    first = bootstrap_interval(lambda idx: values[idx].mean(), 500, 300, seed=7)
    assert first == bootstrap_interval(lambda idx: values[idx].mean(), 500, 300, seed=7)
    assert first != bootstrap_interval(lambda idx: values[idx].mean(), 500, 300, seed=8)
    constant = np.full(50, 3.0)
    assert mean_intervals({"x": constant}, resamples=200) == {
        "test_x_ci95_low": 3.0,
        "test_x_ci95_high": 3.0,
    }


def test_macro_f1_equals_scikit_learn():
    rng = np.random.default_rng(2)
    for k in (2, 5):
        y_true, y_pred = rng.integers(0, k, 300), rng.integers(0, k, 300)
        y_pred[:5] = 0  # and a class that is never predicted:
        y_pred[y_pred == k - 1] = 0
        expected = f1_score(y_true, y_pred, average="macro", labels=range(k), zero_division=0)
        assert macro_f1(y_true, y_pred, k) == pytest.approx(expected)


def test_over_seeds_means_spreads_and_intervals():
    y_true = np.array([0, 1] * 50)
    perfect, half = y_true.copy(), np.where(np.arange(100) < 50, y_true, 1 - y_true)
    m = over_seeds(y_true, [perfect, half], ("a", "b"), resamples=200, seed=0)
    assert m["test_accuracy"] == m["test_accuracy_seed_mean"] == pytest.approx(0.75)
    assert m["test_accuracy_seed_sd"] == pytest.approx(np.std([1.0, 0.5], ddof=1))
    assert m["test_accuracy_ci95_low"] < 0.75 < m["test_accuracy_ci95_high"]
    assert m["class"]["a"]["support"] == 50  # counts stay counts
    # per-class recall, with its interval: each class is right 3 times in 4 over the seeds
    assert m["test_recall_b"] == m["class"]["b"]["recall"] == pytest.approx(0.75)
    assert m["test_recall_a_ci95_low"] < 0.75 < m["test_recall_a_ci95_high"]
    single = over_seeds(np.array([20.0, 30.0, 40.0]), [np.array([22.0, 30.0, 37.0])], None, 100)
    assert single["test_mae"] == pytest.approx(5 / 3)
    assert np.isnan(single["test_mae_seed_sd"])  # one seed has no spread


def test_masked_scores_cover_only_the_mask():
    clean = np.full((2, 48, 48), 0.5)
    restored = clean.copy()
    restored[:, :8, :8] = 0.6  # wrong only inside the block
    mask = np.zeros(clean.shape, bool)
    mask[:, :8, :8] = True
    whole = image_metrics(clean, restored)
    block = image_metrics(clean, restored, mask)
    assert block["mse"] == pytest.approx([0.01, 0.01])
    assert block["psnr"] == pytest.approx([20.0, 20.0])
    assert whole["mse"] == pytest.approx(0.01 * 64 / 2304)
    assert np.all(block["ssim"] < whole["ssim"])


def test_seed_summary_of_per_face_scores():
    runs = [{"psnr": np.array([10.0, 20.0, 30.0])}, {"psnr": np.array([12.0, 22.0, 32.0])}]
    m = seed_summary(runs, prefix="test_", resamples=200, seed=0)
    assert m["test_psnr"] == m["test_psnr_seed_mean"] == pytest.approx(21.0)
    assert m["test_psnr_seed_sd"] == pytest.approx(np.std([20.0, 22.0], ddof=1))
    assert m["test_psnr_ci95_low"] >= 11.0 and m["test_psnr_ci95_high"] <= 31.0
    assert np.isnan(seed_summary(runs[:1], resamples=100)["test_psnr_seed_sd"])


def test_paired_differences_cancel_what_the_faces_share():
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 3, 600)
    theirs = np.where(rng.random(600) < 0.7, y_true, (y_true + 1) % 3)
    ours = theirs.copy()
    fixed = (theirs != y_true) & (y_true == 2)  # ours also gets every class-2 face right
    ours[fixed] = 2
    d = paired_differences(y_true, [ours], [theirs], ("a", "b", "c"), resamples=300)
    gained = fixed.mean()
    assert d["test_accuracy_diff"] == pytest.approx(gained)
    assert 0 < d["test_accuracy_diff_ci95_low"] < gained < d["test_accuracy_diff_ci95_high"]
    assert d["test_recall_a_diff"] == 0.0 == d["test_recall_a_diff_ci95_high"]
    assert d["test_recall_c_diff_ci95_low"] > 0.1
    same = paired_differences(y_true, [theirs, theirs], [theirs], ("a", "b", "c"), 100)
    assert same["test_macro_f1_diff"] == 0.0 == same["test_macro_f1_diff_ci95_low"]
    ages = rng.uniform(1, 90, 200)
    closer = paired_differences(ages, [ages + 1], [ages + 3], None, resamples=100)
    assert closer["test_mae_diff"] == pytest.approx(-2.0)
    assert closer["test_mae_diff_ci95_high"] == pytest.approx(-2.0)


def test_group_accuracy_per_group_and_the_gap():
    y_true = np.zeros(300, dtype=int)
    groups = np.repeat([0, 1, 2], 100)
    right = np.ones(300, dtype=bool)
    right[100:150] = False  # group 1: half wrong
    pred = np.where(right, y_true, 1)
    found = group_accuracy(y_true, [pred, pred], groups, ["young", "middle", "old", "none"], 200)
    assert found["young"]["accuracy"] == found["old"]["accuracy"] == 1.0
    assert found["middle"]["accuracy"] == 0.5 and found["middle"]["faces"] == 100
    assert found["middle"]["accuracy_ci95_low"] < 0.5 < found["middle"]["accuracy_ci95_high"]
    assert np.isnan(found["none"]["accuracy"]) and found["none"]["faces"] == 0
    assert found["gap"]["accuracy"] == 0.5
    assert found["gap"]["accuracy_ci95_low"] < 0.5 < found["gap"]["accuracy_ci95_high"]


# --- one task's seeds, and a variant against its reference ----------------------------------


def _runs(y_true, *predictions, index=None):
    """Predictions files as the training jobs write them, one per seed."""
    index = np.arange(len(y_true)) if index is None else np.asarray(index)
    return [
        {"index": index, "y_true": np.asarray(y_true), "y_pred": np.asarray(p)} for p in predictions
    ]


HISTORIES = [
    {"epoch_seconds": [1.0, 2.0], "parameters": 10, "val_metric": [0.5, 0.7], "precision": "bf16"},
    {"epoch_seconds": [3.0, 4.0], "parameters": 10, "val_metric": [0.6, 0.9], "precision": "bf16"},
]
Y_TEST = np.array([0, 1] * 5)
Y_VAL = np.array([0, 0, 1, 1])


def _flip(y, faces):
    """y with the labels of the faces numbered in `faces` wrong (two classes)."""
    wrong = y.copy()
    wrong[list(faces)] = 1 - wrong[list(faces)]
    return wrong


def test_seed_predictions_and_training_summary():
    y_true, predictions = seed_predictions(_runs(Y_TEST, Y_TEST, 1 - Y_TEST))
    assert np.array_equal(y_true, Y_TEST) and len(predictions) == 2
    with pytest.raises(ValueError, match="different faces"):
        seed_predictions(_runs(Y_TEST, Y_TEST) + _runs(1 - Y_TEST, Y_TEST))
    assert training_summary(HISTORIES) == {"train_seconds": 5.0, "parameters": 10, "epochs": 2}


def test_cnn_metrics_over_seeds():
    test = _runs(Y_TEST, Y_TEST, _flip(Y_TEST, [0, 1]))  # accuracy 1.0 and 0.8
    val = _runs(Y_VAL, Y_VAL, _flip(Y_VAL, [3]))  # 1.0 and 0.75
    m = cnn_metrics(test, val, HISTORIES, ("a", "b"), resamples=100)
    assert m["test_accuracy"] == pytest.approx(0.9)
    assert m["val_accuracy"] == pytest.approx(0.875)
    assert m["val_recall_b"] == pytest.approx(0.75)  # class b: 2 of 2, then 1 of 2
    assert m["val_metric"] == pytest.approx(0.8)  # the last validation metric of each seed
    assert (m["test_faces"], m["seeds"], m["train_seconds"], m["epochs"]) == (10, 2, 5.0, 2)


def test_variant_metrics_give_the_known_difference_from_the_reference():
    runs = {
        "test": _runs(Y_TEST, _flip(Y_TEST, [0, 1]), Y_TEST),  # accuracy 0.8 and 1.0
        "val": _runs(Y_VAL, Y_VAL, _flip(Y_VAL, [0])),  # 1.0 and 0.75
    }
    reference = {
        "test": _runs(Y_TEST, _flip(Y_TEST, [0, 1, 2, 3])),  # 0.6, one seed
        "val": _runs(Y_VAL, _flip(Y_VAL, [0, 1])),  # 0.5
    }
    m = variant_metrics(runs, reference, HISTORIES, ("a", "b"), "improved", resamples=200)
    assert m["reference"] == "improved" and m["seeds"] == 2 and m["precision"] == "bf16"
    assert m["test_accuracy"] == pytest.approx(0.9) and m["val_accuracy"] == pytest.approx(0.875)
    versus = m["versus"]
    assert versus["test_accuracy_diff"] == pytest.approx(0.3)
    assert versus["test_accuracy_diff_ci95_low"] <= 0.3 <= versus["test_accuracy_diff_ci95_high"]
    assert versus["val_accuracy_diff"] == pytest.approx(0.375)
    assert versus["val_recall_a_diff"] == pytest.approx(0.75)  # 0.75 against 0.0
    assert "val_accuracy_diff_ci95_low" not in versus  # on the validation faces: no interval
    with pytest.raises(ValueError, match="different faces"):
        variant_metrics(runs, reference | {"val": _runs(1 - Y_VAL, Y_VAL)}, HISTORIES, ("a", "b"))


@pytest.mark.parametrize("classes", [("a", "b"), None])
def test_a_variant_identical_to_its_reference_differs_by_nothing(classes):
    y_test = Y_TEST if classes else np.linspace(20, 60, 10)
    y_val = Y_VAL if classes else np.array([30.0, 40.0, 50.0, 60.0])
    test = y_test[::-1].copy()  # wrong somewhere, so that the metrics are not trivial
    runs = {"test": _runs(y_test, test, test), "val": _runs(y_val, y_val[::-1])}
    reference = {"test": _runs(y_test, test), "val": _runs(y_val, y_val[::-1])}
    versus = variant_metrics(runs, reference, HISTORIES[:1], classes, resamples=100)["versus"]
    diffs = [key for key in versus if key.endswith("_diff")]
    assert len(diffs) == (8 if classes else 4)  # test and validation: 4 or 2 metrics each
    for key in diffs:
        assert versus[key] == 0.0, key
        if key.startswith("test_"):
            assert versus[key + "_ci95_low"] == versus[key + "_ci95_high"] == 0.0, key


def test_fairness_buckets_count_the_right_faces():
    # the table: six faces; the classifier saw four of them, in the order of `index`
    ages = np.array([5, 70, 14, 15, 29, 30])
    ethnicities = np.array([0, 1, 1, 2, 0, 1])
    index = np.array([2, 0, 5, 4])  # ages 14, 5, 30, 29; ethnicities 1, 0, 1, 0
    y_true = np.array([1, 0, 1, 0])
    wrong_once = np.array([0, 0, 1, 0])  # seed 1 right everywhere, seed 2 wrong on the 14-year-old
    runs = _runs(y_true, y_true, wrong_once, index=index)
    edges = [0, 15, 30, 117]
    found = accuracy_by_group(runs, ages, ethnicities, edges, ("white", "black", "asian"), 100)
    assert age_bucket_labels(edges) == ["0-14", "15-29", "30-116"]
    assert [found["age"][b]["faces"] for b in ("0-14", "15-29", "30-116")] == [2, 1, 1]
    assert found["age"]["0-14"]["accuracy"] == 0.75  # four answers, one wrong
    assert found["age"]["15-29"]["accuracy"] == found["age"]["30-116"]["accuracy"] == 1.0
    assert [found["ethnicity"][e]["faces"] for e in ("white", "black", "asian")] == [2, 2, 0]
    assert found["ethnicity"]["black"]["accuracy"] == 0.75
    assert found["ethnicity"]["white"]["accuracy"] == 1.0
    assert np.isnan(found["ethnicity"]["asian"]["accuracy"])  # none of them among the test faces
    assert found["age"]["gap"]["accuracy"] == 0.25
    with pytest.raises(ValueError, match="the last edge must exceed 30"):
        accuracy_by_group(runs, ages, ethnicities, [0, 15, 30], ("w", "b", "a"), 10)
    with pytest.raises(ValueError, match="the first edge"):
        accuracy_by_group(runs, ages, ethnicities, [10, 30, 117], ("w", "b", "a"), 10)
