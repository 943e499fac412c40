"""Intervals and seed summaries of facevae.metrics on cases known in advance."""

import json

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


# --- intervals over near-copy groups and seeds ------------------------------------------------


def _face_bootstrap(statistic, n, resamples, seed):
    """The face bootstrap the workflow used before near-copy groups: n faces drawn with
    replacement per resample, the percentile interval of the statistic."""
    rng = np.random.default_rng(seed)
    values = np.array([statistic(rng.integers(0, n, n)) for _ in range(resamples)])
    low, high = np.nanquantile(values, [0.025, 0.975])
    return float(low), float(high)


def _interval(found: dict, key: str) -> tuple[float, float]:
    return found[f"{key}_ci95_low"], found[f"{key}_ci95_high"]


def _width(found: dict, key: str) -> float:
    low, high = _interval(found, key)
    return high - low


def test_one_face_per_group_gives_the_intervals_of_the_face_bootstrap():
    rng = np.random.default_rng(10)
    y_true = rng.integers(0, 3, 240)
    pred = np.where(rng.random(240) < 0.7, y_true, (y_true + 1) % 3)
    other = np.where(rng.random(240) < 0.6, y_true, (y_true + 2) % 3)
    alone = np.arange(240)[::-1]  # any labels, one face each
    classes = ("a", "b", "c")
    accuracy = lambda p: lambda idx: (p[idx] == y_true[idx]).mean()  # noqa: E731
    expected = _face_bootstrap(accuracy(pred), 240, 300, 4)
    assert bootstrap_interval(accuracy(pred), 240, 300, 4) == expected
    assert bootstrap_interval(accuracy(pred), 240, 300, 4, groups=alone) == expected
    one = over_seeds(y_true, [pred], classes, 300, 4, groups=alone)
    assert _interval(one, "test_accuracy") == expected
    diff = paired_differences(y_true, [pred], [other], classes, 300, 4, groups=alone)
    expected_diff = _face_bootstrap(
        lambda idx: (pred[idx] == y_true[idx]).mean() - (other[idx] == y_true[idx]).mean(),
        240,
        300,
        4,
    )
    assert _interval(diff, "test_accuracy_diff") == pytest.approx(expected_diff, abs=1e-15)
    psnr = rng.normal(25, 3, 240)
    old = _face_bootstrap(lambda idx: psnr[idx].mean(), 240, 300, 4)
    summary = seed_summary([{"psnr": psnr}], resamples=300, seed=4, groups=alone)
    assert _interval(summary, "test_psnr") == old
    assert _interval(mean_intervals({"psnr": psnr}, resamples=300, seed=4), "test_psnr") == old
    groups = np.repeat([0, 1], 120)
    found = group_accuracy(y_true, [pred], groups, ["x", "y"], 300, 4, near_copies=alone)
    members = np.arange(120, 240)
    hits = (pred == y_true).astype(float)
    assert _interval(found["y"], "accuracy") == _face_bootstrap(
        lambda idx: hits[members[idx]].mean(), 120, 300, 4
    )


def test_near_copies_are_one_piece_of_evidence():
    """Every face four times over: drawn face by face, the copies pass for four times the
    evidence and the interval narrows; drawn by group, it is that of the faces once each."""
    rng = np.random.default_rng(11)
    y_true = rng.integers(0, 2, 150)
    pred = np.where(rng.random(150) < 0.75, y_true, 1 - y_true)
    copies, labels = np.repeat(np.arange(150), 4), np.repeat(np.arange(150), 4)
    y4, p4 = y_true[copies], pred[copies]
    once = over_seeds(y_true, [pred], ("a", "b"), 500, 2)
    grouped = over_seeds(y4, [p4], ("a", "b"), 500, 2, groups=labels)
    loose = over_seeds(y4, [p4], ("a", "b"), 500, 2)
    assert _width(grouped, "test_accuracy") > 1.5 * _width(loose, "test_accuracy")
    assert _interval(grouped, "test_accuracy") == pytest.approx(_interval(once, "test_accuracy"))
    psnr = rng.normal(25, 3, 150)[copies]
    assert _width(mean_intervals({"psnr": psnr}, groups=labels), "test_psnr") > 1.5 * _width(
        mean_intervals({"psnr": psnr}), "test_psnr"
    )
    halves = np.repeat([0, 1], 300)
    by_group = group_accuracy(y4, [p4], halves, ["x", "y"], 500, 2, near_copies=labels)
    by_face = group_accuracy(y4, [p4], halves, ["x", "y"], 500, 2)
    for key in ("x", "y", "gap"):
        assert _width(by_group[key], "accuracy") > 1.5 * _width(by_face[key], "accuracy"), key


def test_seeds_that_agree_add_nothing_to_the_interval():
    rng = np.random.default_rng(12)
    ages = rng.uniform(1, 90, 200)
    ours, theirs = ages + rng.normal(0, 5, 200), ages + rng.normal(0, 8, 200)
    labels = np.arange(200) // 2  # pairs of near-copies
    one = over_seeds(ages, [ours], None, 300, 1, groups=labels)
    two = over_seeds(ages, [ours, ours.copy()], None, 300, 1, groups=labels)
    three = over_seeds(ages, [ours] * 3, None, 300, 1, groups=labels)
    for key in ("test_mae", "test_rmse"):
        assert _interval(two, key) == _interval(one, key)
        assert _interval(three, key) == pytest.approx(_interval(one, key), rel=1e-12)
    single = paired_differences(ages, [ours], [theirs], None, 300, 1, groups=labels)
    for paired in (True, False):
        both = paired_differences(
            ages, [ours, ours], [theirs, theirs], None, 300, 1, groups=labels, paired=paired
        )
        assert _interval(both, "test_mae_diff") == _interval(single, "test_mae_diff")
    scores = [{"psnr": ours}, {"psnr": ours.copy()}]
    assert _interval(seed_summary(scores, groups=labels), "test_psnr") == _interval(
        seed_summary(scores[:1], groups=labels), "test_psnr"
    )
    same = group_accuracy(ages > 40, [ours > 40] * 2, labels % 2, ["p", "q"], 300, 1, labels)
    alone = group_accuracy(ages > 40, [ours > 40], labels % 2, ["p", "q"], 300, 1, labels)
    assert same == alone


def test_a_spread_between_seeds_widens_the_interval():
    """Three seeds whose errors differ by 5 years and faces that barely vary: the interval of
    the mean error spans the seeds, one over the faces alone is a fraction of a year wide.
    Paired seed by seed, a difference that each seed shares with its reference cancels."""
    rng = np.random.default_rng(13)
    ages = rng.uniform(20, 60, 300)
    shifts = [0.0, 5.0, 10.0]
    runs = [ages + 2 + shift + rng.uniform(0, 0.1, 300) for shift in shifts]
    one = over_seeds(ages, runs[:1], None, 1000, 0)
    three = over_seeds(ages, runs, None, 1000, 0)
    assert _width(one, "test_mae") < 0.05
    assert _interval(three, "test_mae")[0] < 4 and _interval(three, "test_mae")[1] > 10
    summary = seed_summary([{"error": r - ages} for r in runs], resamples=1000)
    assert _interval(summary, "test_error")[0] < 4 and _interval(summary, "test_error")[1] > 10
    references = [r - 1 for r in runs]  # one year better than each seed's reference
    paired = paired_differences(ages, runs, references, None, 1000, 0, paired=True)
    unpaired = paired_differences(ages, runs, references, None, 1000, 0)
    assert _interval(paired, "test_mae_diff") == pytest.approx((1.0, 1.0))
    assert _width(unpaired, "test_mae_diff") > 8
    with pytest.raises(ValueError, match="paired seeds"):
        paired_differences(ages, runs, references[:2], None, 10, 0, paired=True)
    truth = ages > 40
    seeds = [truth] + [~truth] * 2  # a seed right on every face, two never right
    spread = group_accuracy(truth, seeds, np.zeros(300, int), ["all"], 1000, 0)
    assert _interval(spread["all"], "accuracy") == (0.0, 1.0)


def test_variants_pair_their_seeds_with_the_reference_only_when_they_match():
    rng = np.random.default_rng(14)
    y_test = rng.integers(0, 2, 200)
    seed_right = [rng.random(200) < p for p in (0.6, 0.9)]  # seeds far apart
    ours = [np.where(right | (rng.random(200) < 0.3), y_test, 1 - y_test) for right in seed_right]
    reference = [np.where(right, y_test, 1 - y_test) for right in seed_right]
    runs = {"test": _runs(y_test, *ours), "val": _runs(Y_VAL, Y_VAL, Y_VAL)}
    ref = {"test": _runs(y_test, *reference), "val": _runs(Y_VAL, Y_VAL, Y_VAL)}
    labels = np.arange(200) // 4
    options = dict(resamples=500, groups=labels)

    def compare(**seeds):
        return variant_metrics(runs, ref, HISTORIES, ("a", "b"), **options, **seeds)

    matched = compare(seeds=[0, 1], reference_seeds=[0, 1])
    apart, unknown = compare(seeds=[0, 1], reference_seeds=[1, 2]), compare()
    key = "test_accuracy_diff"
    assert matched["versus"][key] == apart["versus"][key] == unknown["versus"][key]
    assert _width(matched["versus"], key) < 0.6 * _width(apart["versus"], key)
    assert _interval(apart["versus"], key) == _interval(unknown["versus"], key)
    assert matched["versus"]["interval"].startswith("two-level bootstrap: seeds, paired")
    assert apart["versus"]["interval"].startswith("two-level bootstrap: each side's seeds")
    assert matched["interval"] == "two-level bootstrap: seeds, then near-copy groups of test faces"
    with pytest.raises(ValueError, match="3 seed numbers for 2 predictions files"):
        variant_metrics(runs, ref, HISTORIES, ("a", "b"), seeds=[0, 1, 2], reference_seeds=[0])


def test_metrics_files_say_what_their_intervals_resampled():
    one = cnn_metrics(_runs(Y_TEST, Y_TEST), _runs(Y_VAL, Y_VAL), HISTORIES[:1], ("a", "b"), 10)
    two = cnn_metrics(
        _runs(Y_TEST, Y_TEST, _flip(Y_TEST, [0])), _runs(Y_VAL, Y_VAL, Y_VAL), HISTORIES, None, 10
    )
    assert "near-copy groups" in one["interval"] and "no seeds" in one["interval"]
    assert two["interval"].startswith("two-level bootstrap: seeds, then near-copy groups")
    json.dumps({"one": one["interval"], "two": two["interval"]}, allow_nan=False)


def test_fairness_draws_the_near_copies_of_the_faces_it_scores():
    """The group labels cover every face of the table and are read through the predictions'
    index, like the ages and ethnicities."""
    ages = np.array([5, 70, 14, 15, 29, 30, 40, 50])
    ethnicities = np.zeros(8, dtype=int)
    index = np.array([2, 0, 5, 4, 6, 7])
    y_true = np.array([1, 0, 1, 0, 1, 1])
    runs = _runs(y_true, np.array([1, 1, 1, 0, 0, 1]), index=index)
    copies = np.array([0, 1, 0, 2, 3, 4, 4, 4])  # rows 0 and 2 one person; rows 5, 6, 7 another
    edges = [0, 15, 30, 117]
    grouped = accuracy_by_group(runs, ages, ethnicities, edges, ("w",), 400, 0, copies)
    reordered = _runs(y_true, runs[0]["y_pred"])  # the scored faces as a table of their own
    expected = accuracy_by_group(
        reordered, ages[index], ethnicities[index], edges, ("w",), 400, 0, copies[index]
    )
    assert grouped == expected  # the same labels, reached through the index
    loose = accuracy_by_group(runs, ages, ethnicities, edges, ("w",), 400, 0)
    assert grouped["age"]["0-14"] != loose["age"]["0-14"]  # its two faces are one person
    assert grouped["age"]["0-14"]["accuracy_ci95_low"] == 0.5 == grouped["age"]["0-14"]["accuracy"]
