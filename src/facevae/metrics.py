"""Test-set metrics, computed with scikit-learn so that they mean what its docs say."""

from __future__ import annotations

import numpy as np
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
        "test_majority_accuracy": float(np.bincount(y_true, minlength=len(labels)).max() / len(y_true)),
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
