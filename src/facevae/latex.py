"""How the report prints: numbers, numbers with their intervals, tables and macros, in LaTeX.

Every number of the report's text and tables goes through ``format_number`` (a measured
value: ``SIGNIFICANT`` significant figures) or ``format_setting`` (a value the workflow was
given: written as given, rounded the same way), and every number with a 95 % interval
through ``with_interval``, so that one style holds from the first table to the last sentence.

The report never contains a typed number. It writes ``\\val{data.rows}``, and the macro file
made by ``latex_macros`` defines one control sequence per summary key, so the key in the text
is the key in ``results/summary.json``. An unknown key stops the LaTeX run (see
report/report.tex).
"""

from __future__ import annotations

import math
import re

SIGNIFICANT = 3  # significant figures of every measured number in the report
MISSING = r"\textemdash{}"  # a number that is not finite
MINUS = "\u2212"  # a true minus sign (report.tex maps it to math's minus; HTML shows it as is)
THIN = r"\,"  # thin space, never a line break: between thousands, before a unit symbol
# Units set after a thin space (19.6 dB, 95 %); any other unit is a word after a tie (5.5 years).
SYMBOL_UNITS = ("dB", r"\%", "px", "s", "min", "h")
TEXT_PREFIX = "text."  # summary keys whose strings are LaTeX already (see facevae.sentences)
SETTING_PREFIXES = ("config.", "paper.")  # summary keys holding values the workflow was given

_LATEX_SPECIAL = {c: "\\" + c for c in "&%$#_{}"} | {
    "~": r"\~{}",
    "^": r"\^{}",
    "\\": r"\textbackslash{}",
}


def escape_latex(text: str) -> str:
    """Plain text as LaTeX that prints it unchanged (100% -> 100\\%). pdflatex sets printable
    ASCII and the Latin-1 letters (é, ß); any other character (a control character, an
    emoji, another script) would stop the build at the very end of a run, so it is shown
    as "?" (the summary keeps the text as it is)."""
    return "".join(_LATEX_SPECIAL.get(c, c) if _printable(c) else "?" for c in text)


def _printable(c: str) -> bool:
    return " " <= c <= "~" or ("\u00c0" <= c <= "\u00ff" and c not in "\u00d7\u00f7")


def breakable(latex: str) -> str:
    """Escaped text (a path, a file name) that may break after a slash or an underscore, so
    that a long name never runs into the margin."""
    return latex.replace("/", r"/\allowbreak{}").replace(r"\_", r"\_\allowbreak{}")


def format_number(value, digits: int = SIGNIFICANT, *, pad: bool = True) -> str:
    """LaTeX text of one measured number.

    Integers are grouped by thousands with a thin space (23\\,705), in tables, text and
    intervals alike. Other numbers keep ``digits`` significant figures, trailing zeros
    included (0.900, 19.0), except that zero is written 0, from 100 up they are rounded to
    whole units (12\\,346), and below 0.001 they are written as a power of ten
    (1.50 x 10^-5), so that a small number never prints as 0.00. A negative number has a
    true minus sign (MINUS), not a hyphen. With ``pad=False`` trailing zeros are dropped
    (0.9, 1 x 10^-5): see ``format_setting``.
    """
    if value is None:  # a number the stages could not give (strict JSON has no NaN)
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return _signed(f"{value:,}".replace(",", THIN))
    if not math.isfinite(value):
        return MISSING
    size = abs(value)
    if size == 0:
        return "0"
    if size >= 100:
        return _signed(f"{round(value):,}".replace(",", THIN))
    if size >= 1e-3:
        if not pad:
            return _signed(f"{value:.{digits}g}")
        # The alternate form keeps trailing zeros; 99.96 becomes "100." and loses its point.
        return _signed(f"{value:#.{digits}g}".rstrip("."))
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    if not pad:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return _signed(rf"\ensuremath{{{mantissa}\times10^{{{int(exponent)}}}}}")


def _signed(text: str) -> str:
    return text.replace("-", MINUS)


def with_unit(number: str, unit: str) -> str:
    """A printed number and its unit, joined so that no line breaks between them."""
    if not unit:
        return number
    return number + (THIN if unit in SYMBOL_UNITS else "~") + unit


def format_setting(value) -> str:
    """LaTeX text of a number the workflow was given (a setting, a published value): rounded
    like a measured number but without padding zeros, so a learning rate of 0.001 reads
    0.001, not 0.00100."""
    return format_number(value, pad=False)


def format_percent(fraction: float) -> str:
    """A fraction in percent, in running text: 0.9012 -> 90.1\\,\\%."""
    if fraction is None or not math.isfinite(fraction):
        return MISSING
    return with_unit(format_number(100 * fraction), r"\%")


def interval_of(scores: dict, key: str) -> tuple:
    """(value, low, high) of one score and its 95 % interval as the stages write them
    (``<key>``, ``<key>_ci95_low``, ``<key>_ci95_high``); low and high are None when
    ``scores`` has no interval for ``key``."""
    return scores[key], scores.get(f"{key}_ci95_low"), scores.get(f"{key}_ci95_high")


def estimate_of(found: dict) -> tuple:
    """(mean, low, high) of an estimate as facevae.stats.mean_interval and paired write it."""
    return found["mean"], found["ci95_low"], found["ci95_high"]


def with_interval(
    value: float,
    low: float | None = None,
    high: float | None = None,
    *,
    text: bool = False,
    bold: bool = False,
    percent: bool = False,
    signed: bool = False,
    unit: str = "",
) -> str:
    """A number and its 95 % interval in LaTeX, the one style of the report.

    In a table cell (the default) the interval follows in small type, as in
    ``19.6 {\\scriptsize [19.4, 19.8]}``; in running text (``text=True``) it follows in words,
    as in ``19.6 dB (95\\,\\% interval 19.4 to 19.8)``, ``unit`` ("dB", see ``with_unit``)
    standing after the value. ``percent`` shows a fraction in points (x 100), ``signed``
    marks a positive value and bound with "+" (a difference), ``bold`` sets the value in
    bold. Without ``low`` or ``high`` only the value is written.
    """
    scale = 100 if percent else 1

    def shown(number: float | None) -> str:
        if number is None:  # strict JSON's missing number
            return MISSING
        number = scale * number
        plus = "+" if signed and number > 0 else ""
        return plus + format_number(number)

    main = shown(value)
    if bold:
        main = rf"\textbf{{{main}}}"
    main = with_unit(main, unit)
    if low is None or high is None:
        return main
    if text:
        return rf"{main} (95\,\% interval {shown(low)} to {shown(high)})"
    # The space keeps "[" from reading as an optional argument (here and in htmlreport).
    return rf"{main} {{\scriptsize [{shown(low)}, {shown(high)}]}}"


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


def macro_text(key: str, value) -> str:
    """LaTeX of one summary value: a ``text.*`` string as it is (facevae.sentences writes
    LaTeX), a web address (``*_url``) detokenized for a link when it holds only characters
    safe there (else empty), any other string escaped, a setting (``config.*``,
    ``paper.*``) as given and any other number as measured."""
    if key.endswith("_url"):
        safe = isinstance(value, str) and re.fullmatch(r"https://[A-Za-z0-9._~/:-]+", value)
        return rf"\detokenize{{{value}}}" if safe else ""
    if isinstance(value, str):
        return value if key.startswith(TEXT_PREFIX) else breakable(escape_latex(value))
    return format_setting(value) if key.startswith(SETTING_PREFIXES) else format_number(value)


def latex_macros(summary: dict) -> str:
    """One ``\\fv@<key>`` definition per key of the flat summary; fractions (keys naming an
    accuracy or a share, with their intervals and spreads) also get ``<key>.pct`` in
    percent."""
    lines = ["% Written by the workflow from results/summary.json; do not edit."]
    for key, value in summary.items():
        lines.append(rf"\expandafter\def\csname fv@{key}\endcsname{{{macro_text(key, value)}}}")
        last = key.rsplit(".", 1)[-1]  # test_accuracy, test_accuracy_ci95_low, ...
        if isinstance(value, float) and ("accuracy" in last or "fraction" in last):
            pct = format_percent(value)
            lines.append(rf"\expandafter\def\csname fv@{key}.pct\endcsname{{{pct}}}")
    return "\n".join(lines) + "\n"
