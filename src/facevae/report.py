"""Numbers for the report: merge per-stage JSON into one flat summary, write LaTeX macros.

The report never contains a typed number. It writes ``\\val{data.rows}``, and the macro file
made here defines one control sequence per summary key, so the key in the text is the key in
``results/summary.json``. An unknown key stops the LaTeX run (see report/report.tex).
"""

from __future__ import annotations

import math

_LATEX_SPECIAL = {c: "\\" + c for c in "&%$#_{}"} | {
    "~": r"\~{}",
    "^": r"\^{}",
    "\\": r"\textbackslash{}",
}


def flatten(tree: dict, prefix: str = "") -> dict:
    """{"a": {"b": 1}} -> {"prefix.a.b": 1}; leaves must be numbers, strings or booleans
    (a list of them, such as channel widths, becomes one string: "32, 64, 128")."""
    flat = {}
    for key, value in tree.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(flatten(value, name))
        elif isinstance(value, (bool, int, float, str)):
            flat[name] = value
        elif isinstance(value, list) and all(isinstance(v, (int, float, str)) for v in value):
            flat[name] = ", ".join(map(str, value))
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


def escape_latex(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


SIGNIFICANT = 3  # significant figures of every number in the report's text and tables


def format_number(value, digits: int = SIGNIFICANT) -> str:
    """LaTeX text of one number, the one formatter of macros and tables.

    Integers are grouped by thousands (23{,}705). Other numbers keep ``digits`` significant
    figures (6.03, 0.0122, 0.001), except that from 100 up they are rounded to whole units
    (1{,}235), and below 0.001 they are written as a power of ten (1.5 x 10^-5), so a small
    number never prints as 0.00.
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "{,}")
    if not math.isfinite(value):
        return r"\textemdash{}"
    size = abs(value)
    if size >= 100:
        return f"{round(value):,}".replace(",", "{,}")
    if size == 0 or size >= 1e-3:
        return f"{value:.{digits}g}"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return rf"\ensuremath{{{mantissa}\times10^{{{int(exponent)}}}}}"


def with_interval(scores: dict, key: str, bold: bool = False) -> str:
    """Table cell of one score and its 95 % interval: 19.6 [19.4, 19.8] (interval smaller)."""
    text = format_number(scores[key])
    if bold:
        text = rf"\textbf{{{text}}}"
    low, high = scores.get(f"{key}_ci95_low"), scores.get(f"{key}_ci95_high")
    if low is None or high is None:
        return text
    return rf"{text} {{\scriptsize[{format_number(low)}, {format_number(high)}]}}"


def latex_macros(summary: dict) -> str:
    """One ``\\fv@<key>`` definition per key; fractions (keys naming an accuracy or a share,
    with their intervals and spreads) also get ``<key>.pct`` in percent."""
    lines = ["% Written by the workflow from results/summary.json; do not edit."]
    for key, value in summary.items():
        text = escape_latex(value) if isinstance(value, str) else format_number(value)
        lines.append(rf"\expandafter\def\csname fv@{key}\endcsname{{{text}}}")
        last = key.rsplit(".", 1)[-1]  # test_accuracy, test_accuracy_ci95_low, ...
        if isinstance(value, float) and ("accuracy" in last or "fraction" in last):
            pct = rf"{100 * value:.1f}\,\%" if math.isfinite(value) else r"\textemdash{}"
            lines.append(rf"\expandafter\def\csname fv@{key}.pct\endcsname{{{pct}}}")
    return "\n".join(lines) + "\n"


def latex_table(header: list, rows: list[list[str]], align: str) -> str:
    """Body of a booktabs tabular (cells already LaTeX), to \\input inside a table float.
    ``header`` is one row of cells or a list of rows."""
    header_rows = header if isinstance(header[0], list) else [header]
    lines = [rf"\begin{{tabular}}{{{align}}}", r"\toprule"]
    lines += [" & ".join(row) + r" \\" for row in header_rows]
    lines.append(r"\midrule")
    lines += [" & ".join(row) + r" \\" for row in rows]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def model_label(point: dict) -> str:
    """LaTeX label of a VAE grid point: {latent: 256, beta: 0.01} -> $z=256$, $\\beta=0.01$."""
    return rf"$z={point['latent']}$, $\beta={point['beta']:g}$"


def baseline_label(name: str) -> str:
    """Name of a reconstruction yardstick of facevae.baselines: mean_face, pca<k>."""
    return "the mean training face" if name == "mean_face" else f"PCA with {name[3:]} components"


def schedule_phrase(vae: dict) -> str:
    """How the text describes the VAE's learning rate (settings ``lr``, ``lr_schedule`` and
    ``warmup``), to follow "trained with Adam using"."""
    if vae["lr_schedule"] == "constant":
        return f"a constant learning rate of {vae['lr']:g}"
    return (
        f"a one-cycle learning-rate schedule that rises from {vae['lr'] / 25:.2g} to"
        f" {vae['lr']:g} over the first {100 * vae['warmup']:g} % of the batches,"
        " then falls along a cosine almost to zero"
    )


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


# --- sentences whose truth depends on a result ---------------------------------------------
# The report never types "better" or "within the original's": it prints these, chosen from
# the numbers in results/summary.json.


def position(low: float, high: float, value: float) -> str:
    """Where ``value`` lies against the interval [low, high]: "above", "within" or "below"."""
    if value > high:
        return "above"
    if value < low:
        return "below"
    return "within"


def versus_published(scores: dict, key: str, published: float, percent: bool = False) -> str:
    """How our 95 % interval of ``key`` relates to the original's published value."""
    shown = f"{100 * published:.1f} %" if percent else f"{published:g}"
    where = position(scores[f"{key}_ci95_low"], scores[f"{key}_ci95_high"], published)
    return {
        "above": f"lower than the original's {shown} (which lies above our 95 % interval)",
        "below": f"higher than the original's {shown} (which lies below our 95 % interval)",
        "within": f"consistent with the original's {shown} (which lies inside our 95 % interval)",
    }[where]


def versus_method(ours: dict, theirs: dict, key: str, name: str) -> str:
    """Compare two methods' means of ``key`` by their 95 % intervals."""
    if ours[f"{key}_ci95_low"] > theirs[f"{key}_ci95_high"]:
        return f"higher than that of {name} (the 95 % intervals do not overlap)"
    if ours[f"{key}_ci95_high"] < theirs[f"{key}_ci95_low"]:
        return f"lower than that of {name} (the 95 % intervals do not overlap)"
    return f"not clearly different from that of {name} (the 95 % intervals overlap)"


def result_sentences(tree: dict, paper: dict) -> dict:
    """Text of every result-dependent clause of the report, keyed like the summary.

    ``tree`` holds the stage results by prefix ("cnn.gender", "restore", ...), ``paper``
    the original's published numbers ({"cnn": {task: {metric: value}}}).
    """
    text = {}
    for task, published in paper["cnn"].items():
        scores = tree[f"cnn.{task}"]
        for metric, value in published.items():
            percent = metric.endswith("accuracy")
            text[f"cnn.{task}.{metric}"] = versus_published(scores, metric, value, percent)
    best, clauses = tree["vae.best"], []
    for name, scores in tree.get("vae.baseline", {}).items():
        compared = versus_method(best, scores, "test_psnr", baseline_label(name))
        clauses.append(f"{compared} at {scores['test_psnr']:.3g} dB")
    if clauses:
        text["vae.versus_baselines"] = "; ".join(clauses)
    restore = tree["restore"]
    noise, erase = restore["noise"], restore["erase"]
    if "mean_filter" in noise:
        text["restore.noise.vae_vs_mean_filter"] = versus_method(
            noise["vae"], noise["mean_filter"], "psnr", "the mean filter"
        )
    text["restore.erase.vae_vs_biharmonic"] = versus_method(
        erase["vae"], erase["biharmonic"], "region_psnr", "biharmonic inpainting"
    )
    return text
