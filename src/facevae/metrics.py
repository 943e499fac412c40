"""Test-set metrics, computed with scikit-learn and scikit-image so that they mean what their
documentation says."""

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


def over_seeds(y_true, predictions, class_keys=None, resamples: int = 2000, seed: int = 0):
    """Test metrics of one task's models, one per training seed, on the same test faces.

    Every metric is the mean over seeds. The headline metrics (accuracy, macro F1 and the
    recall of each class, or MAE and RMSE for ``class_keys=None``, the age regression) get
    ``_seed_mean``, ``_seed_sd`` (NaN for one seed) and ``_ci95_low`` / ``_ci95_high``: a
    bootstrap interval of the seed mean, every model scored on the same resampled faces.
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
        statistics[name] = lambda idx, metric=metric: np.mean(
            [metric(y_true[idx], p[idx]) for p in predictions]
        )
    return out | intervals(statistics, len(y_true), resamples, seed)


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
    y_true, ours, theirs, class_keys=None, resamples: int = 2000, seed: int = 0
) -> dict:
    """How one set of models (``ours``, one prediction array per seed) differs from another
    (``theirs``) on the same test faces: for every headline metric (with per-class recall),
    ``<metric>_diff`` = our seed mean minus theirs, and its paired bootstrap interval
    ``<metric>_diff_ci95_low`` / ``_high`` (both sets scored on the same resampled faces, so
    what the faces share cancels out). An interval that excludes 0 is a clear difference."""
    y_true = np.asarray(y_true)
    ours, theirs = [np.asarray(p) for p in ours], [np.asarray(p) for p in theirs]
    out, statistics = {}, {}
    for name, metric in headline_metrics(class_keys, per_class=True).items():

        def difference(idx, metric=metric):
            t = y_true[idx]
            mine = np.mean([metric(t, p[idx]) for p in ours])
            return mine - np.mean([metric(t, p[idx]) for p in theirs])

        out[f"{name}_diff"] = float(difference(np.arange(len(y_true))))
        statistics[f"{name}_diff"] = difference
    return out | intervals(statistics, len(y_true), resamples, seed)


def group_accuracy(
    y_true, predictions, groups, labels, resamples: int = 2000, seed: int = 0
) -> dict:
    """Accuracy per group of test faces (``groups``: each face's group number, an index into
    ``labels``), mean over the models in ``predictions`` (one per seed), with a bootstrap
    interval over the group's faces and its face count; and ``gap``, best minus worst group
    among those with faces, with an interval from resampling all faces. A group without faces
    gets NaN."""
    y_true, groups = np.asarray(y_true), np.asarray(groups)
    correct = np.mean([np.asarray(p) == y_true for p in predictions], axis=0)  # per face
    k = len(labels)

    def accuracies(idx):
        n = np.bincount(groups[idx], minlength=k)
        hits = np.bincount(groups[idx], weights=correct[idx], minlength=k)
        return np.where(n > 0, hits / np.maximum(n, 1), np.nan)

    def gap(idx):
        values = accuracies(idx)
        return np.nanmax(values) - np.nanmin(values)

    out, everyone = {}, np.arange(len(y_true))
    for number, label in enumerate(labels):
        members = np.flatnonzero(groups == number)
        entry = {"faces": int(len(members)), "accuracy": float("nan")}
        if len(members):
            entry["accuracy"] = float(correct[members].mean())
            low, high = bootstrap_interval(
                lambda idx, m=members: correct[m[idx]].mean(), len(members), resamples, seed
            )
            entry |= {"accuracy_ci95_low": low, "accuracy_ci95_high": high}
        out[label] = entry
    low, high = bootstrap_interval(gap, len(y_true), resamples, seed)
    out["gap"] = {
        "accuracy": float(gap(everyone)),
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
    test_runs, val_runs, histories, class_keys=None, resamples: int = 2000, seed: int = 0
) -> dict:
    """The metrics of one task's CNNs over their seeds (predictions files and histories, one
    per seed): the test metrics of ``over_seeds``, the validation means of
    ``headline_means``, the training summary, the last validation metric of training (mean
    over seeds), the number of test faces and of seeds."""
    y_test, test = seed_predictions(test_runs)
    y_val, val = seed_predictions(val_runs)
    metrics = over_seeds(y_test, test, class_keys, resamples, seed)
    metrics |= headline_means(y_val, val, class_keys)
    metrics |= training_summary(histories)
    metrics["val_metric"] = float(np.mean([h["val_metric"][-1] for h in histories]))
    metrics["test_faces"] = len(y_test)
    metrics["seeds"] = len(test)
    return metrics


def variant_metrics(
    runs: dict,
    reference_runs: dict,
    histories: list[dict],
    class_keys=None,
    reference: str = "paper",
    resamples: int = 2000,
    seed: int = 0,
) -> dict:
    """The metrics of a chapter-3 variant for one task over its seeds, set against its
    reference (the paper model, or the improved recipe for an ablation).

    ``runs`` and ``reference_runs`` map "val" and "test" to predictions files, one per seed
    (the reference may have other seeds). Returns the test metrics of ``over_seeds``, the
    validation means of ``headline_means``, ``reference`` (the name), ``versus``: the paired
    test differences of ``paired_differences`` and, on the validation faces, the difference
    of the seed means alone (``val_<metric>_diff``, no interval), and the training summary
    with the precision and the number of seeds. Raises ValueError when the variant and its
    reference were scored on different faces.
    """
    y_test, test = seed_predictions(runs["test"])
    y_val, val = seed_predictions(runs["val"])
    y_ref_test, reference_test = seed_predictions(reference_runs["test"])
    y_ref_val, reference_val = seed_predictions(reference_runs["val"])
    if not (np.array_equal(y_test, y_ref_test) and np.array_equal(y_val, y_ref_val)):
        raise ValueError("the variant and its reference were scored on different faces")
    metrics = over_seeds(y_test, test, class_keys, resamples, seed)
    metrics |= headline_means(y_val, val, class_keys)
    metrics["reference"] = reference
    versus = paired_differences(y_test, test, reference_test, class_keys, resamples, seed)
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
    runs, ages, ethnicities, age_edges, ethnicity_keys, resamples: int = 2000, seed: int = 0
) -> dict:
    """``group_accuracy`` of one classifier's seeds by age bucket and by ethnicity.

    ``runs`` are its predictions files, one per seed, on the same faces; their ``index``
    points into ``ages`` and ``ethnicities``, the labels of every face of the table. The age
    buckets run from each of ``age_edges`` to the next (the last edge excluded); ethnicity
    ``k`` is named ``ethnicity_keys[k]``. Raises ValueError for a face outside the edges.
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
    return {
        by: group_accuracy(y_true, predictions, groups, labels, resamples, seed)
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
    with bootstrap intervals when ``bootstrap`` = {resamples, seed} is given."""
    per_image = image_metrics(reference, restored, mask, **settings)
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


def bootstrap_interval(statistic, n: int, n_boot: int = 2000, seed: int = 0, level: float = 0.95):
    """Percentile bootstrap interval of ``statistic(index)`` over n test faces.

    ``statistic`` maps an index array (which faces, with repeats) to a number; it is called
    on ``n_boot`` resamples of n faces drawn with replacement by a generator seeded with
    ``seed``, so the interval is reproducible. Returns (low, high) at the given level.
    """
    rng = np.random.default_rng(seed)
    values = np.array([statistic(rng.integers(0, n, n)) for _ in range(n_boot)])
    tail = (1 - level) / 2
    low, high = np.nanquantile(values, [tail, 1 - tail])  # NaN: a class absent from a resample
    return float(low), float(high)


def intervals(statistics: dict, n: int, resamples: int = 2000, seed: int = 0) -> dict:
    """``<name>_ci95_low`` / ``<name>_ci95_high`` of every statistic {name: statistic(index)}
    over n faces (see bootstrap_interval)."""
    out = {}
    for name, statistic in statistics.items():
        low, high = bootstrap_interval(statistic, n, resamples, seed)
        out[f"{name}_ci95_low"], out[f"{name}_ci95_high"] = low, high
    return out


def mean_intervals(values: dict[str, np.ndarray], prefix: str = "test_", **bootstrap) -> dict:
    """Bootstrap intervals of the mean of each per-face array: {test_psnr_ci95_low, ...}."""
    arrays = {f"{prefix}{k}": np.asarray(a) for k, a in values.items()}
    n = len(next(iter(arrays.values())))
    statistics = {name: (lambda idx, a=a: a[idx].mean()) for name, a in arrays.items()}
    return intervals(statistics, n, **bootstrap)


def seed_summary(per_seed: list[dict], prefix: str = "test_", resamples=2000, seed=0) -> dict:
    """Per-face scores of several models (one per training seed) on the same faces, as
    {prefix+metric: mean over seeds and faces} with ``_std`` (over faces, of the seed mean),
    ``_seed_mean``, ``_seed_sd`` (of the per-seed means; NaN for one seed) and the bootstrap
    ``_ci95_low`` / ``_ci95_high`` of the mean."""
    out, per_face = {}, {}
    for key in per_seed[0]:
        runs = np.stack([np.asarray(run[key], dtype=float) for run in per_seed])  # (seeds, faces)
        means, per_face[key] = runs.mean(axis=1), runs.mean(axis=0)
        name = f"{prefix}{key}"
        out[name] = out[f"{name}_seed_mean"] = float(means.mean())
        out[f"{name}_std"] = float(per_face[key].std())
        out[f"{name}_seed_sd"] = float(means.std(ddof=1)) if len(means) > 1 else float("nan")
    return out | mean_intervals(per_face, prefix=prefix, resamples=resamples, seed=seed)


# For each image metric: is a higher value better?
HIGHER_IS_BETTER = {"psnr": True, "ssim": True, "mse": False}


def choose_best(metrics_by_model: dict[str, dict], metric: str, part: str = "val") -> str:
    """Name of the model with the best mean ``metric`` (psnr, ssim or mse) on ``part``.

    Choices are made on the validation split ("val"): the test split is read only for the
    final numbers of the model already chosen."""
    sign = 1 if HIGHER_IS_BETTER[metric] else -1
    key = f"{part}_{metric}"
    return max(metrics_by_model, key=lambda name: sign * metrics_by_model[name][key])


def seed_means(runs: dict[str, list[dict]]) -> dict[str, dict]:
    """{model: {score: mean over its seeds}} from {model: [scores of each seed]}, every seed's
    scores a dict with the same keys: what ``choose_best`` compares grid points by."""
    return {
        name: {key: float(np.mean([scores[key] for scores in per_seed])) for key in per_seed[0]}
        for name, per_seed in runs.items()
    }
