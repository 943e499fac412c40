"""Which way is better, for every score the project ranks: declared once, used by every
"best" (the chosen VAE, the best classical restorer, the bold cell of a table, a figure's
"higher is better").

A score's key carries its split and region around the metric's name ("val_psnr",
"test_region_mse", "psnr_diff"); ``metric_of`` finds the name, ``higher_is_better`` its
direction. No torch here: the Snakefile and the table scripts import this cheaply.
"""

from __future__ import annotations

# For each metric: is a higher value better?
HIGHER_IS_BETTER = {
    "psnr": True,
    "ssim": True,
    "mse": False,
    "accuracy": True,
    "macro_f1": True,
    "recall": True,
    "mae": False,
    "rmse": False,
    "elbo": True,  # a bound on the log-likelihood, in nats
    "tv": False,  # total variation distance between label distributions
}
_PREFIXES = ("val_", "test_", "region_")
_SUFFIXES = ("_diff", "_seed_mean", "_seed_sd", "_std", "_lo", "_hi")


def metric_of(key: str) -> str:
    """The metric a score's key names: "val_region_psnr" -> "psnr", "gender_tv" -> "tv"."""
    name = key
    for suffix in _SUFFIXES:
        name = name.removesuffix(suffix)
    while name.startswith(_PREFIXES):
        name = name.split("_", 1)[1]
    if name in HIGHER_IS_BETTER:
        return name
    for metric in HIGHER_IS_BETTER:  # gender_tv, recall_white
        if name.endswith(f"_{metric}") or name.startswith(f"{metric}_"):
            return metric
    raise KeyError(f"no direction is declared for the score {key!r}")


def higher_is_better(key: str) -> bool:
    """Whether a higher value of the score ``key`` is better (KeyError for an unknown one)."""
    return HIGHER_IS_BETTER[metric_of(key)]


def best(scores: dict[str, dict], key: str) -> str:
    """The name in ``scores`` ({name: {key: value}}) whose ``key`` is best, in its direction;
    ties go to the first name."""
    sign = 1 if higher_is_better(key) else -1
    return max(scores, key=lambda name: sign * scores[name][key])


def is_best(value: float, values, key: str) -> bool:
    """Whether ``value`` is the best of ``values`` for the score ``key``."""
    return value == (max if higher_is_better(key) else min)(values)
