"""Test-set metrics, computed with scikit-learn and scikit-image so that they mean what their
documentation says."""

from __future__ import annotations

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
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


def image_metrics(reference: np.ndarray, restored: np.ndarray) -> dict[str, np.ndarray]:
    """Per-image PSNR (dB), SSIM and MSE of float images in [0, 1], shape (N, 48, 48).

    scikit-image with ``data_range=1``: PSNR = 10 log10(1 / MSE); SSIM with its default
    7x7 window.
    """
    reference = np.asarray(reference, dtype=np.float64)
    restored = np.clip(np.asarray(restored, dtype=np.float64), 0, 1)
    mse = ((reference - restored) ** 2).mean(axis=(1, 2))
    with np.errstate(divide="ignore"):  # a perfect restoration has PSNR = inf, not a warning
        psnr = np.array(
            [peak_signal_noise_ratio(a, b, data_range=1) for a, b in zip(reference, restored)]
        )
    ssim = np.array(
        [structural_similarity(a, b, data_range=1) for a, b in zip(reference, restored)]
    )
    return {"psnr": psnr, "ssim": ssim, "mse": mse}


def mean_image_metrics(reference: np.ndarray, restored: np.ndarray) -> dict[str, float]:
    """Mean PSNR and SSIM over a stack of images (the restoration chapter's scores)."""
    per_image = image_metrics(reference, restored)
    return {"psnr": float(per_image["psnr"].mean()), "ssim": float(per_image["ssim"].mean())}


def summarise(values: dict[str, np.ndarray], prefix: str = "test_") -> dict[str, float]:
    """Mean and standard deviation of each per-image metric: {test_psnr, test_psnr_std, ...}."""
    out = {}
    for name, array in values.items():
        out[f"{prefix}{name}"] = float(np.mean(array))
        out[f"{prefix}{name}_std"] = float(np.std(array))
    return out


# For each image metric: is a higher value better?
HIGHER_IS_BETTER = {"psnr": True, "ssim": True, "mse": False}


def choose_best(metrics_by_model: dict[str, dict], metric: str) -> str:
    """Name of the model with the best mean test ``metric`` (psnr, ssim or mse)."""
    sign = 1 if HIGHER_IS_BETTER[metric] else -1
    return max(metrics_by_model, key=lambda name: sign * metrics_by_model[name][f"test_{metric}"])
