"""Intervals and seed summaries of facevae.metrics on cases known in advance."""

import numpy as np
import pytest
from sklearn.metrics import f1_score

from facevae.metrics import (
    bootstrap_interval,
    group_accuracy,
    image_metrics,
    macro_f1,
    mean_intervals,
    over_seeds,
    paired_differences,
    seed_summary,
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
