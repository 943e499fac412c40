"""What every part of the report shares: the flat summary, and the words for the workflow's
restorers, yardsticks and variants.

The summary merges every stage's JSON, flattened under its prefix, into the one dictionary
(results/summary.json) that the LaTeX macros, the sentences and the HTML report read. The
names below are plain text, used alike by the tables, the sentences (facevae.sentences) and
the figures; how numbers are printed is facevae.latex's, how a VAE setting is named
facevae.names's (vae_label).
"""

from __future__ import annotations

from facevae.better import best
from facevae.names import parse_ablation_name

# The report's sections in order, titled as report/sections/*.tex title them, with the
# prefixes of their keys in the summary. The HTML report's headings and `compare` number
# them alike (section_headings).
SECTIONS = [
    ("The data", ("data.",)),
    ("Three supervised networks", ("cnn.",)),
    ("Convolutional beta-VAEs", ("vae.",)),
    ("Restoring and interpolating faces", ("restore.", "interpolate.")),
    ("Beyond the original", ("beyond.",)),
]


def section_headings() -> list[str]:
    """The numbered headings: "1. The data", ..., and last "6. Every number" (the summary)."""
    titles = [title for title, _ in SECTIONS] + ["Every number"]
    return [f"{number}. {title}" for number, title in enumerate(titles, 1)]


def flatten(tree: dict, prefix: str = "") -> dict:
    """{"a": {"b": 1}} -> {"prefix.a.b": 1}; leaves must be numbers, strings, booleans or
    None (a number a stage could not give: strict JSON has no NaN); a list of them, such as
    channel widths, becomes one string: "32, 64, 128"."""
    flat = {}
    for key, value in tree.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(flatten(value, name))
        elif value is None or isinstance(value, (bool, int, float, str)):  # None: no number
            flat[name] = value
        elif isinstance(value, list) and all(
            v is None or isinstance(v, (int, float, str)) for v in value
        ):
            flat[name] = ", ".join("null" if v is None else str(v) for v in value)
        else:
            raise TypeError(f"summary key {name!r} holds a {type(value).__name__}, not a number")
    return flat


def merge_parts(parts: dict[str, dict]) -> dict:
    """Flatten each stage's JSON under its prefix and merge, refusing duplicate keys."""
    summary = {}
    for prefix, tree in parts.items():
        for key, value in flatten(tree, prefix).items():
            if key in summary:
                raise ValueError(f"summary key {key!r} is written by two stages")
            summary[key] = value
    return dict(sorted(summary.items()))


def baseline_label(name: str) -> str:
    """Name of a reconstruction yardstick of facevae.baselines: mean_face, pca<k>."""
    return "the mean training face" if name == "mean_face" else f"PCA with {name[3:]} components"


# How the text names each restoration method (facevae.restore's method ids).
METHOD_NAMES = {
    "vae": "the VAE",
    "mean_filter": "the mean filter",
    "median": "the median filter",
    "gaussian": "Gaussian smoothing",
    "tv": "total-variation denoising",
    "nl_means": "non-local means",
    "wavelet": "wavelet shrinkage",
    "biharmonic": "biharmonic inpainting",
}


def method_name(method: str) -> str:
    return METHOD_NAMES.get(method, method.replace("_", " "))


def best_classical(scores: dict[str, dict[str, float]], metric: str = "psnr") -> str:
    """The classical restorer (neither the damaged input nor the VAE) with the best mean
    ``metric`` among one damage's ``scores`` (facevae.restore.run_protocol), read on the
    validation faces (``val_<metric>``) where the protocol scored them there: a choice is
    never made on the test faces."""
    classical = {m: s for m, s in scores.items() if m not in ("corrupted", "vae")}
    key = f"val_{metric}" if all(f"val_{metric}" in s for s in classical.values()) else metric
    return best(classical, key)


def readable(name: str) -> str:
    """A variant or ingredient name as prose: reweight_augment -> "reweight + augment"."""
    ablation = parse_ablation_name(name)
    if ablation:  # improved_without_label_smoothing -> "improved without label smoothing"
        return f"{readable(ablation[0])} without {ablation[1].replace('_', ' ')}"
    return name.replace("_", " + ")
