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


def latex_macros(summary: dict) -> str:
    """One ``\\fv@<key>`` definition per key; fractions (keys naming an accuracy or a share)
    also get ``<key>.pct`` in percent."""
    lines = ["% Written by the workflow from results/summary.json; do not edit."]
    for key, value in summary.items():
        text = escape_latex(value) if isinstance(value, str) else format_number(value)
        lines.append(rf"\expandafter\def\csname fv@{key}\endcsname{{{text}}}")
        if isinstance(value, float) and key.rsplit(".", 1)[-1].endswith(("accuracy", "fraction")):
            lines.append(
                rf"\expandafter\def\csname fv@{key}.pct\endcsname{{{100 * value:.1f}\,\%}}"
            )
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
