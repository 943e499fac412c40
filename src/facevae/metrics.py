"""Test-set metrics, computed with scikit-learn and scikit-image so that they mean what their
documentation says.

Every interval here is a percentile bootstrap of facevae.stats: it draws whole near-copy
groups of faces (``groups``: one label per face scored; None draws faces one by one), and a
metric over models of several training seeds draws the seeds first (stats.two_level), so its
interval carries the seed's randomness as well as the faces'.
"""

from __future__ import annotations

import numpy as np
from skimage.metrics import structural_similarity
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    mean_absolute_error,
    precision_recall_fscore_support,
    root_mean_squared_error,
)

from facevae import stats
from facevae.better import best


def classification_metrics(y_true, y_pred, class_keys) -> dict:
    """Accuracy, macro F1 and per-class precision, recall, F1 and support (all scalars)."""
    labels = np.arange(len(class_keys))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    per_class = {
        key: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for key, p, r, f, s in zip(class_keys, precision, recall, f1, support)
    }
    return {
        "test_accuracy": float(accuracy_score(y_true, y_pred)),
        "test_macro_f1": float(np.mean(f1)),
        "test_majority_accuracy": float(
            np.bincount(y_true, minlength=len(labels)).max() / len(y_true)
        ),
        "class": per_class,
    }


def confusion(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Counts: rows are true classes, columns predicted classes."""
    return confusion_matrix(y_true, y_pred, labels=np.arange(n_classes))


def regression_metrics(y_true, y_pred) -> dict:
    """MAE and RMSE in years, the mean error (bias), and the MAE of always guessing the mean."""
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    return {
        "test_mae": float(mean_absolute_error(y_true, y_pred)),
        "test_rmse": float(root_mean_squared_error(y_true, y_pred)),
        "test_bias": float(np.mean(y_pred - y_true)),
        "test_mean_guess_mae": float(np.mean(np.abs(y_true - y_true.mean()))),
    }


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> float:
    """Mean over classes of F1 = 2 TP / (2 TP + FP + FN), 0 for a class never seen nor
    predicted: scikit-learn's macro F1 with zero_division=0, from one bincount (fast enough
    to recompute on thousands of bootstrap resamples)."""
    counts = np.bincount(y_true * n_classes + y_pred, minlength=n_classes**2)
    cm = counts.reshape(n_classes, n_classes)
    tp = np.diag(cm).astype(float)
    denominator = cm.sum(axis=0) + cm.sum(axis=1)  # predicted + true = 2 TP + FP + FN
    f1 = np.divide(2 * tp, denominator, out=np.zeros(n_classes), where=denominator > 0)
    return float(f1.mean())


def _mean_tree(trees: list[dict]) -> dict:
    """Leaf-wise mean of dicts of the same shape (ints that agree stay ints, e.g. supports)."""
    out = {}
    for key, first in trees[0].items():
        values = [tree[key] for tree in trees]
        if isinstance(first, dict):
            out[key] = _mean_tree(values)
        elif isinstance(first, int) and all(v == first for v in values):
            out[key] = first
        else:
            out[key] = float(np.mean(values))
    return out


def _per_face(scores: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Per-face mean over the drawn ``seeds`` (rows of ``scores``, with repeats): each seed
    drawn counts as often as it was drawn. One row is returned as it is."""
    if len(scores) == 1:
        return scores[0]
    drawn, counts = np.unique(seeds, return_counts=True)
    return np.average(scores[drawn], axis=0, weights=counts)


def _seed_mean(metric, y_true, predictions, seeds, faces) -> float:
    """The mean of ``metric`` over the models of the drawn ``seeds`` (indices into
    ``predictions``, with repeats), each scored on the drawn ``faces``; a seed drawn twice is
    scored once and counted twice."""
    t = y_true[faces]
    if len(predictions) == 1:
        return metric(t, predictions[0][faces])
    drawn, counts = np.unique(seeds, return_counts=True)
    return np.average([metric(t, predictions[s][faces]) for s in drawn], weights=counts)


def over_seeds(
    y_true, predictions, class_keys=None, resamples: int = 2000, seed: int = 0, groups=None
):
    """Test metrics of one task's models, one per training seed, on the same test faces.

    Every metric is the mean over seeds. The headline metrics (accuracy, macro F1 and the
    recall of each class, or MAE and RMSE for ``class_keys=None``, the age regression) get
    ``_seed_mean``, ``_seed_sd`` (NaN for one seed) and ``_ci95_low`` / ``_ci95_high``: a
    two-level bootstrap interval of the seed mean (seeds drawn with replacement, then the
    near-copy ``groups`` of the faces, every drawn seed's model scored on the same faces).
    """
    y_true = np.asarray(y_true)
    predictions = [np.asarray(p) for p in predictions]
    if class_keys is None:
        per_seed = [regression_metrics(y_true, p) for p in predictions]
    else:
        per_seed = [classification_metrics(y_true, p, class_keys) for p in predictions]
    out = _mean_tree(per_seed)
    statistics = {}
    for name, metric in headline_metrics(class_keys, per_class=True).items():
        values = np.array([metric(y_true, p) for p in predictions], dtype=float)
        out.setdefault(name, float(values.mean()))
        out[f"{name}_seed_mean"] = float(values.mean())
        out[f"{name}_seed_sd"] = float(values.std(ddof=1)) if len(values) > 1 else float("nan")
        statistics[name] = lambda seeds, faces, metric=metric: _seed_mean(
            metric, y_true, predictions, seeds, faces
        )
    return out | seed_intervals(statistics, len(predictions), len(y_true), resamples, seed, groups)


def _recall(label: int):
    def recall(t, p):
        mask = t == label
        return (p[mask] == label).mean() if mask.any() else float("nan")

    return recall


def headline_metrics(class_keys=None, per_class: bool = False) -> dict:
    """{name: metric(y_true, y_pred)} of the headline test metrics: MAE and RMSE for the age
    regression (``class_keys=None``), else accuracy and macro F1, and with ``per_class`` the
    recall of every class (``test_recall_<class>``)."""
    if class_keys is None:
        return {
            "test_mae": lambda t, p: np.abs(p - t).mean(),
            "test_rmse": lambda t, p: np.sqrt(((p - t) ** 2).mean()),
        }
    k = len(class_keys)
    metrics = {
        "test_accuracy": lambda t, p: (p == t).mean(),
        "test_macro_f1": lambda t, p: macro_f1(t, p, k),
    }
    if per_class:
        metrics |= {f"test_recall_{key}": _recall(i) for i, key in enumerate(class_keys)}
    return metrics


def headline_means(y_true, predictions, class_keys=None, prefix: str = "val_") -> dict:
    """The headline metrics (with per-class recall) of several models on the same faces, each
    the mean over the models: what choices on the validation faces are made by."""
    y_true = np.asarray(y_true)
    return {
        prefix + name.removeprefix("test_"): float(
            np.mean([metric(y_true, p) for p in predictions])
        )
        for name, metric in headline_metrics(class_keys, per_class=True).items()
    }


def paired_differences(
    y_true,
    ours,
    theirs,
    class_keys=None,
    resamples: int = 2000,
    seed: int = 0,
    groups=None,
    paired: bool = False,
) -> dict:
    """How one set of models (``ours``, one prediction array per seed) differs from another
    (``theirs``) on the same test faces: for every headline metric (with per-class recall),
    ``<metric>_diff`` = our seed mean minus theirs, and its two-level bootstrap interval
    ``<metric>_diff_ci95_low`` / ``_high``. Every draw takes the near-copy ``groups`` of the
    faces once for both sides, so what the faces share cancels out. The seeds are drawn
    first: with ``paired`` (both sides trained on the same seed numbers, listed in the same
    order) once, seed ``i`` of ours set against seed ``i`` of theirs; otherwise each side's
    seeds are drawn on their own, within the same draw of groups. An interval that excludes
    0 is a clear difference."""
    y_true = np.asarray(y_true)
    ours, theirs = [np.asarray(p) for p in ours], [np.asarray(p) for p in theirs]
    if paired and len(ours) != len(theirs):
        raise ValueError(f"paired seeds, but {len(ours)} models against {len(theirs)}")
    out, statistics = {}, {}
    for name, metric in headline_metrics(class_keys, per_class=True).items():
        mine = np.mean([metric(y_true, p) for p in ours])
        out[f"{name}_diff"] = float(mine - np.mean([metric(y_true, p) for p in theirs]))

        def difference(seeds, faces, metric=metric):
            our_seeds, their_seeds = (seeds, seeds) if paired else seeds
            ours_mean = _seed_mean(metric, y_true, ours, our_seeds, faces)
            return ours_mean - _seed_mean(metric, y_true, theirs, their_seeds, faces)

        statistics[f"{name}_diff"] = difference
    n_seeds = len(ours) if paired else (len(ours), len(theirs))
    return out | seed_intervals(statistics, n_seeds, len(y_true), resamples, seed, groups)


def group_accuracy(
    y_true,
    predictions,
    groups,
    labels,
    resamples: int = 2000,
    seed: int = 0,
    near_copies=None,
) -> dict:
    """Accuracy per group of test faces (``groups``: each face's group number, an index into
    ``labels``), mean over the models in ``predictions`` (one per seed), with a two-level
    bootstrap interval over the seeds and the group's faces, and its face count; and
    ``gap``, best minus worst group among those with faces, with an interval from resampling
    the seeds and all faces. ``near_copies`` (one label per face, None: every face alone)
    are the near-copy groups that the bootstrap draws whole. A group without faces gets
    NaN."""
    y_true, groups = np.asarray(y_true), np.asarray(groups)
    per_seed = np.array([np.asarray(p) == y_true for p in predictions], dtype=float)
    correct = per_seed.mean(axis=0)  # per face
    near = None if near_copies is None else np.asarray(near_copies)
    k, n_seeds = len(labels), len(predictions)

    def accuracies(correct, idx):
        n = np.bincount(groups[idx], minlength=k)
        hits = np.bincount(groups[idx], weights=correct[idx], minlength=k)
        return np.where(n > 0, hits / np.maximum(n, 1), np.nan)

    def gap(correct, idx):
        values = accuracies(correct, idx)
        return np.nanmax(values) - np.nanmin(values)

    def interval(statistic, members):
        near_members = None if near is None else near[members]
        return stats.two_level(statistic, n_seeds, len(members), near_members, resamples, seed)

    out, everyone = {}, np.arange(len(y_true))
    for number, label in enumerate(labels):
        members = np.flatnonzero(groups == number)
        entry = {"faces": int(len(members)), "accuracy": float("nan")}
        if len(members):
            entry["accuracy"] = float(correct[members].mean())
            low, high = interval(
                lambda s, f, m=members: _per_face(per_seed, s)[m[f]].mean(), members
            )
            entry |= {"accuracy_ci95_low": low, "accuracy_ci95_high": high}
        out[label] = entry
    low, high = interval(lambda s, f: gap(_per_face(per_seed, s), f), everyone)
    out["gap"] = {
        "accuracy": float(gap(correct, everyone)),
        "accuracy_ci95_low": low,
        "accuracy_ci95_high": high,
    }
    return out


def seed_predictions(runs) -> tuple[np.ndarray, list[np.ndarray]]:
    """The true labels and every seed's predictions from one task's predictions files (dicts
    with ``y_true`` and ``y_pred``, one per training seed). Raises ValueError unless every
    seed was scored on the same labels."""
    y_true = np.asarray(runs[0]["y_true"])
    if not all(np.array_equal(run["y_true"], y_true) for run in runs):
        raise ValueError("the seeds' predictions are for different faces")
    return y_true, [np.asarray(run["y_pred"]) for run in runs]


def training_summary(histories: list[dict]) -> dict:
    """What the training histories of one model's seeds tell: the mean training time (the sum
    of a run's epoch times, mean over seeds), the parameter count and the number of epochs."""
    return {
        "train_seconds": float(np.mean([sum(h["epoch_seconds"]) for h in histories])),
        "parameters": histories[0]["parameters"],
        "epochs": len(histories[0]["epoch_seconds"]),
    }


def cnn_metrics(
    test_runs,
    val_runs,
    histories,
    class_keys=None,
    resamples: int = 2000,
    seed: int = 0,
    groups=None,
) -> dict:
    """The metrics of one task's CNNs over their seeds (predictions files and histories, one
    per seed): the test metrics of ``over_seeds`` (``groups``: the near-copy group of each
    test face), the validation means of ``headline_means``, the training summary, the last
    validation metric of training (mean over seeds), the number of test faces and of seeds,
    and ``interval``: what the intervals resampled, in words (facevae.stats.DESCRIBE)."""
    y_test, test = seed_predictions(test_runs)
    y_val, val = seed_predictions(val_runs)
    metrics = over_seeds(y_test, test, class_keys, resamples, seed, groups)
    metrics |= headline_means(y_val, val, class_keys)
    metrics |= training_summary(histories)
    metrics["val_metric"] = float(np.mean([h["val_metric"][-1] for h in histories]))
    metrics["test_faces"] = len(y_test)
    metrics["seeds"] = len(test)
    metrics["interval"] = stats.describe(len(test))
    return metrics


def variant_metrics(
    runs: dict,
    reference_runs: dict,
    histories: list[dict],
    class_keys=None,
    reference: str = "paper",
    resamples: int = 2000,
    seed: int = 0,
    groups=None,
    seeds=None,
    reference_seeds=None,
) -> dict:
    """The metrics of a chapter-3 variant for one task over its seeds, set against its
    reference (the paper model, or the improved recipe for an ablation).

    ``runs`` and ``reference_runs`` map "val" and "test" to predictions files, one per seed
    (the reference may have other seeds); ``seeds`` and ``reference_seeds`` are the seed
    numbers of those files, in their order, and ``groups`` the near-copy group of each test
    face. Returns the test metrics of ``over_seeds``, the validation means of
    ``headline_means``, ``reference`` (the name), ``versus``: the test differences of
    ``paired_differences`` (paired seed by seed when both sides have the same seed numbers,
    each side's seeds drawn on their own otherwise, or when the numbers are not given) and,
    on the validation faces, the difference of the seed means alone (``val_<metric>_diff``,
    no interval), and the training summary with the precision and the number of seeds. Both
    the metrics and ``versus`` say what their intervals resampled under ``interval``
    (facevae.stats.DESCRIBE). Raises ValueError when the variant and its reference were
    scored on different faces, or when the seed numbers do not match the files.
    """
    y_test, test = seed_predictions(runs["test"])
    y_val, val = seed_predictions(runs["val"])
    y_ref_test, reference_test = seed_predictions(reference_runs["test"])
    y_ref_val, reference_val = seed_predictions(reference_runs["val"])
    if not (np.array_equal(y_test, y_ref_test) and np.array_equal(y_val, y_ref_val)):
        raise ValueError("the variant and its reference were scored on different faces")
    for numbers, files in ((seeds, test), (reference_seeds, reference_test)):
        if numbers is not None and len(numbers) != len(files):
            raise ValueError(f"{len(numbers)} seed numbers for {len(files)} predictions files")
    paired = seeds is not None and reference_seeds is not None
    paired = paired and list(seeds) == list(reference_seeds)
    metrics = over_seeds(y_test, test, class_keys, resamples, seed, groups)
    metrics |= headline_means(y_val, val, class_keys)
    metrics["reference"] = reference
    metrics["interval"] = stats.describe(len(test))
    versus = paired_differences(
        y_test, test, reference_test, class_keys, resamples, seed, groups, paired
    )
    versus["interval"] = stats.describe(
        len(test) if paired else (len(test), len(reference_test)), paired
    )
    reference_means = headline_means(y_val, reference_val, class_keys)
    versus |= {f"{key}_diff": metrics[key] - reference_means[key] for key in reference_means}
    metrics["versus"] = versus
    metrics |= training_summary(histories)
    metrics["precision"] = histories[0].get("precision", "unknown")
    metrics["seeds"] = len(test)
    return metrics


def age_bucket_labels(edges) -> list[str]:
    """Names of the age buckets [edge, next edge): "0-14", "15-29", ... (ages in whole years)."""
    return [f"{lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:])]


def accuracy_by_group(
    runs,
    ages,
    ethnicities,
    age_edges,
    ethnicity_keys,
    resamples: int = 2000,
    seed: int = 0,
    near_copies=None,
) -> dict:
    """``group_accuracy`` of one classifier's seeds by age bucket and by ethnicity.

    ``runs`` are its predictions files, one per seed, on the same faces; their ``index``
    points into ``ages``, ``ethnicities`` and ``near_copies`` (the near-copy group labels of
    data/groups.npz; None: every face alone), which hold a value for every face of the table.
    The age buckets run from each of ``age_edges`` to the next (the last edge excluded);
    ethnicity ``k`` is named ``ethnicity_keys[k]``. Raises ValueError for a face outside the
    edges.
    """
    index = np.asarray(runs[0]["index"])
    if not all(np.array_equal(run["index"], index) for run in runs):
        raise ValueError("the seeds' predictions are for different faces")
    y_true, predictions = seed_predictions(runs)
    ages = np.asarray(ages)[index]
    if ages.max() >= age_edges[-1]:
        raise ValueError(f"fairness_age_edges: the last edge must exceed {ages.max()}")
    if ages.min() < age_edges[0]:
        raise ValueError(f"fairness_age_edges: the first edge must be at most {ages.min()}")
    groupings = {
        "age": (np.digitize(ages, age_edges) - 1, age_bucket_labels(age_edges)),
        "ethnicity": (np.asarray(ethnicities)[index], list(ethnicity_keys)),
    }
    near = None if near_copies is None else np.asarray(near_copies)[index]
    return {
        by: group_accuracy(y_true, predictions, groups, labels, resamples, seed, near)
        for by, (groups, labels) in groupings.items()
    }


def image_metrics(
    reference: np.ndarray,
    restored: np.ndarray,
    mask: np.ndarray | None = None,
    ssim_window: int = 7,
    ssim_gaussian: bool = False,
) -> dict[str, np.ndarray]:
    """Per-image PSNR (dB), SSIM and MSE of float images in [0, 1], shape (N, 48, 48).

    scikit-image with ``data_range=1``: PSNR = 10 log10(1 / MSE); SSIM over a
    ``ssim_window`` x ``ssim_window`` window, uniformly weighted unless ``ssim_gaussian``
    (then a Gaussian of sigma 1.5, as in Wang et al.). With a boolean ``mask`` (N, 48, 48)
    every score covers only the masked pixels of each image (for SSIM: the mean of its map
    there), e.g. the erased block, where restorers differ; elsewhere they return the input.
    """
    reference = np.asarray(reference, dtype=np.float64)
    restored = np.clip(np.asarray(restored, dtype=np.float64), 0, 1)
    whole = mask is None
    squared = (reference - restored) ** 2
    if whole:
        mse = squared.mean(axis=(1, 2))
    else:
        mask = np.asarray(mask, dtype=bool)
        mse = np.array([s[m].mean() for s, m in zip(squared, mask)])
    with np.errstate(divide="ignore"):  # a perfect restoration has PSNR = inf, not a warning
        psnr = 10 * np.log10(1 / mse)
    options = {
        "data_range": 1,
        "win_size": ssim_window,
        "gaussian_weights": ssim_gaussian,
        "use_sample_covariance": not ssim_gaussian,
    }
    if whole:  # scikit-image's mean SSIM (its map without the half-window border)
        ssim = np.array(
            [structural_similarity(a, b, **options) for a, b in zip(reference, restored)]
        )
    else:
        ssim = np.array(
            [
                structural_similarity(a, b, full=True, **options)[1][m].mean()
                for a, b, m in zip(reference, restored, mask)
            ]
        )
    return {"psnr": psnr, "ssim": ssim, "mse": mse}


def mean_image_metrics(reference, restored, mask=None, bootstrap=None, **settings) -> dict:
    """Mean PSNR, SSIM and MSE over a stack of images (the restoration chapter's scores),
    with bootstrap intervals when ``bootstrap`` = {resamples, seed} is given (and ``groups``,
    the near-copy group of each image, to draw them whole; see mean_intervals)."""
    return mean_scores(image_metrics(reference, restored, mask, **settings), bootstrap)


def mean_scores(per_image: dict[str, np.ndarray], bootstrap=None) -> dict:
    """The mean of each per-image score, with its bootstrap interval when ``bootstrap`` is
    given (see mean_image_metrics)."""
    out = {name: float(values.mean()) for name, values in per_image.items()}
    if bootstrap is not None:
        out |= mean_intervals(per_image, prefix="", **bootstrap)
    return out


def summarise(values: dict[str, np.ndarray], prefix: str = "test_") -> dict[str, float]:
    """Mean and standard deviation of each per-image metric: {test_psnr, test_psnr_std, ...}."""
    out = {}
    for name, array in values.items():
        out[f"{prefix}{name}"] = float(np.mean(array))
        out[f"{prefix}{name}_std"] = float(np.std(array))
    return out


def bootstrap_interval(
    statistic, n: int, n_boot: int = 2000, seed: int = 0, level: float = 0.95, groups=None
):
    """Percentile bootstrap interval of ``statistic(index)`` over n test faces.

    ``statistic`` maps an index array (which faces, with repeats) to a number; it is called
    on ``n_boot`` resamples, each as many near-copy groups as there are drawn with
    replacement, every drawn group with all its faces (``groups``: one label per face or a
    facevae.stats.Groups; None: every face its own group, i.e. n faces drawn with
    replacement), by a generator seeded with ``seed``, so the interval is reproducible.
    Resamples where the statistic is NaN (a class absent) are left out. Returns (low, high)
    at the given level (facevae.stats.interval).
    """
    return stats.interval(statistic, n, groups, n_boot, seed, level)


def _as_groups(groups):
    """Group labels made into a facevae.stats.Groups once, for many intervals on the same
    faces; None stays None (every face alone)."""
    if groups is None or isinstance(groups, stats.Groups):
        return groups
    return stats.Groups(groups)


def intervals(statistics: dict, n: int, resamples: int = 2000, seed: int = 0, groups=None) -> dict:
    """``<name>_ci95_low`` / ``<name>_ci95_high`` of every statistic {name: statistic(index)}
    over n faces, drawing whole near-copy ``groups`` (see bootstrap_interval)."""
    out, groups = {}, _as_groups(groups)
    for name, statistic in statistics.items():
        low, high = bootstrap_interval(statistic, n, resamples, seed, groups=groups)
        out[f"{name}_ci95_low"], out[f"{name}_ci95_high"] = low, high
    return out


def seed_intervals(
    statistics: dict, n_seeds, n: int, resamples: int = 2000, seed: int = 0, groups=None
) -> dict:
    """``<name>_ci95_low`` / ``<name>_ci95_high`` of every statistic {name: statistic(seeds,
    faces)} of models of ``n_seeds`` seeds (or a tuple of counts, one per side) on n faces,
    by the two-level bootstrap of facevae.stats.two_level: seeds, then near-copy groups."""
    out, groups = {}, _as_groups(groups)
    for name, statistic in statistics.items():
        low, high = stats.two_level(statistic, n_seeds, n, groups, resamples, seed)
        out[f"{name}_ci95_low"], out[f"{name}_ci95_high"] = low, high
    return out


def mean_intervals(values: dict[str, np.ndarray], prefix: str = "test_", **bootstrap) -> dict:
    """Bootstrap intervals of the mean of each per-face array: {test_psnr_ci95_low, ...}.
    ``bootstrap``: resamples, seed and groups (the near-copy group of each face), as for
    ``intervals``."""
    arrays = {f"{prefix}{k}": np.asarray(a) for k, a in values.items()}
    n = len(next(iter(arrays.values())))
    statistics = {name: (lambda idx, a=a: a[idx].mean()) for name, a in arrays.items()}
    return intervals(statistics, n, **bootstrap)


def seed_summary(
    per_seed: list[dict], prefix: str = "test_", resamples=2000, seed=0, groups=None
) -> dict:
    """Per-face scores of several models (one per training seed) on the same faces, as
    {prefix+metric: mean over seeds and faces} with ``_std`` (over faces, of the seed mean),
    ``_seed_mean``, ``_seed_sd`` (of the per-seed means; NaN for one seed) and the two-level
    bootstrap ``_ci95_low`` / ``_ci95_high`` of the mean (seeds, then the near-copy
    ``groups`` of the faces)."""
    out, statistics = {}, {}
    for key in per_seed[0]:
        runs = np.stack([np.asarray(run[key], dtype=float) for run in per_seed])  # (seeds, faces)
        means, per_face = runs.mean(axis=1), runs.mean(axis=0)
        name = f"{prefix}{key}"
        out[name] = out[f"{name}_seed_mean"] = float(means.mean())
        out[f"{name}_std"] = float(per_face.std())
        out[f"{name}_seed_sd"] = float(means.std(ddof=1)) if len(means) > 1 else float("nan")
        statistics[name] = lambda s, f, runs=runs: _per_face(runs, s)[f].mean()
    n_seeds, n = len(per_seed), len(runs[0])
    return out | seed_intervals(statistics, n_seeds, n, resamples, seed, groups)


def choose_best(metrics_by_model: dict[str, dict], metric: str, part: str = "val") -> str:
    """Name of the model with the best mean ``metric`` (psnr, ssim or mse) on ``part``.

    Choices are made on the validation split ("val"): the test split is read only for the
    final numbers of the model already chosen."""
    return best(metrics_by_model, f"{part}_{metric}")


def seed_means(runs: dict[str, list[dict]]) -> dict[str, dict]:
    """{model: {score: mean over its seeds}} from {model: [scores of each seed]}, every seed's
    scores a dict with the same keys: what ``choose_best`` compares grid points by."""
    return {
        name: {key: float(np.mean([scores[key] for scores in per_seed])) for key in per_seed[0]}
        for name, per_seed in runs.items()
    }
