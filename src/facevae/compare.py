"""Two runs of the workflow side by side: what they were built with and what they scored.

    python -m facevae.compare RUN_A RUN_B [--all | --json] [--results DIR]

A run is a folder ``results/<run>/`` holding the flat ``summary.json`` of that run; give it by
name (looked up under ``--results``) or as a path to the folder; with no run named, the
command prints its usage and the runs it can see. The comparison holds

- the settings (``config.*`` keys, nested ones included) and the provenance (``provenance.*``)
  that differ;
- every numeric key of either run (a metric), with its 95 % interval when the summary has
  ``<key>_ci95_low`` / ``<key>_ci95_high``, the difference B - A, and a ``*`` when the two
  intervals do not overlap. That flag is a screen, not a test: the two runs share no
  resampling, so the report's paired intervals are what decide a difference. A metric
  without intervals in both runs is never flagged (``beyond_intervals`` is null in the JSON);
- the strings and booleans that differ (in the JSON under ``other``).

By default the text shows a screen or two: the settings that differ, the provenance apart
from each training job's timing, and per section of the report the headline metrics whose
printed values differ, with a count of the rest; ``--all`` lists everything, ``--json``
prints it all as one strict JSON object.

Interval and spread siblings (``_ci95_low``, ``_ci95_high``, ``_seed_sd``) are read with their
metric, not listed as metrics. A run without a readable summary.json stops the command with
status 2 and a message naming the file.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

from facevae.files import DamagedFile, read_json, strict_json
from facevae.latex import MINUS, THIN
from facevae.latex import format_setting as format_number  # unpadded: 0.75 [0.7, 0.8]
from facevae.report import SECTIONS, section_headings

MISSING = "—"
SIBLINGS = ("_ci95_low", "_ci95_high", "_seed_sd")
WIDTH = 100  # columns of the text report
CELL = 26  # widest settings / other-value cell in the text, so two runs fit in 100 columns


# The report's sections as headed in the HTML report, each with the prefixes of its summary
# keys (any other key: "Other").
SECTIONS = [(heading, prefixes) for heading, (_, prefixes) in zip(section_headings(), SECTIONS)]
SHOWN = {"settings": 12, "provenance": 6, "section": 6, "other": 6}  # rows by default


class MissingRun(Exception):
    """A run named on the command line has no readable summary.json."""


def runs_in(results: Path) -> list[str]:
    return sorted(path.parent.name for path in results.glob("*/summary.json"))


def load_run(run: str, results: Path) -> tuple[Path, dict]:
    """The folder and summary of a run given by name (under ``results``) or by path."""
    for folder in (results / run, Path(run)):
        path = folder / "summary.json"
        if path.is_file():
            try:
                summary = read_json(path)
            except DamagedFile as error:
                raise MissingRun(f"compare: {error}") from None
            if not isinstance(summary, dict):
                raise MissingRun(f"compare: {path} holds no summary (a JSON object expected)")
            return folder, summary
    wanted = Path(run) if Path(run).is_dir() or "/" in run else results / run
    raise MissingRun(
        f"compare: missing {wanted / 'summary.json'}; runs with a summary.json in {results}/: "
        + (", ".join(runs_in(results)) or "none")
    )


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def interval(summary: dict, key: str) -> list | None:
    low, high = summary.get(f"{key}_ci95_low"), summary.get(f"{key}_ci95_high")
    return [low, high] if is_number(low) and is_number(high) else None


def compare(a: dict, b: dict) -> dict:
    """The differing settings, provenance and other values, and every metric of two runs."""

    def differing(keys) -> list[dict]:
        return [{"key": k, "a": a.get(k), "b": b.get(k)} for k in keys if a.get(k) != b.get(k)]

    keys = sorted(a.keys() | b.keys())
    plain = [k for k in keys if not k.startswith(("config.", "provenance."))]
    metrics = []
    for key in plain:
        value_a, value_b = (s.get(key) if is_number(s.get(key)) else None for s in (a, b))
        if key.endswith(SIBLINGS) or (value_a is None and value_b is None):
            continue
        span_a, span_b = interval(a, key), interval(b, key)
        apart = (span_a[1] < span_b[0] or span_b[1] < span_a[0]) if span_a and span_b else None
        both = value_a is not None and value_b is not None
        metrics.append(
            {
                "key": key,
                "a": value_a,
                "b": value_b,
                "difference": value_b - value_a if both else None,
                "a_interval": span_a,
                "b_interval": span_b,
                "beyond_intervals": apart,
            }
        )
    listed = {m["key"] for m in metrics}
    return {
        "settings": differing(k for k in keys if k.startswith("config.")),
        "provenance": differing(k for k in keys if k.startswith("provenance.")),
        "metrics": metrics,
        "other": differing(k for k in plain if k not in listed and not k.endswith(SIBLINGS)),
    }


def number(value) -> str:
    """``format_number`` without its LaTeX: 23,705 · 0.0122 · 1.5e-5; "—" when missing."""
    if value is None:
        return MISSING
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = format_number(value).replace(THIN, ",").replace(MINUS, "-")
    power = re.fullmatch(r"\\ensuremath\{(.+)\\times10\^\{(-?\d+)\}\}", text)
    return f"{power[1]}e{power[2]}" if power else text


def exact(value) -> str:
    """A setting or string as written in the summary (no rounding: 0.001 and 0.0012 differ)."""
    if value is None:
        return MISSING
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return json.dumps(value) if isinstance(value, bool) else str(value)


def table(header: list[str], rows: list[list[str]], limit: int | None = None) -> list[str]:
    """Left-aligned columns within WIDTH; cells after the first are cut to ``limit`` characters,
    and a key too long for its column gets a line of its own above its values."""
    if not rows:
        return ["  (none)"]
    cut = lambda c: c if limit is None or len(c) <= limit else c[: limit - 1] + "…"
    cells = [header] + [[row[0]] + [cut(c) for c in row[1:]] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    widths[0] = max(12, min(widths[0], WIDTH - 2 - sum(w + 2 for w in widths[1:])))
    lines = []
    for row in cells:
        if len(row[0]) > widths[0]:
            lines.append("  " + row[0])
            row = ["", *row[1:]]
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return lines


def section_of(key: str) -> str:
    return next((title for title, prefixes in SECTIONS if key.startswith(prefixes)), "Other")


def headline_first(key: str) -> tuple:
    """Sort key: test scores and whole-table counts first, then shallow keys, then by name."""
    last = key.rsplit(".", 1)[-1]
    headline = last.startswith("test_") or last in ("psnr", "region_psnr", "ssim", "rows")
    return (not headline, key.count("."), key)


def digest(result: dict) -> tuple[dict, dict]:
    """What the default text shows of ``result``: (shown, left out), each by part; metrics
    only where their printed values differ, grouped by section, headline ones first."""
    shown, left = {}, {}
    provenance = [e for e in result["provenance"] if ".jobs." not in e["key"]]
    other = [e for e in result["other"] if not e["key"].startswith("text.")]
    for part, entries in (
        ("settings", result["settings"]),
        ("provenance", provenance),
        ("other", other),
    ):
        shown[part], left[part] = entries[: SHOWN[part]], max(len(entries) - SHOWN[part], 0)
    left["provenance"] += len(result["provenance"]) - len(provenance)
    left["other"] += len(result["other"]) - len(other)
    differ = [m for m in result["metrics"] if number(m["a"]) != number(m["b"])]
    for title in [t for t, _ in SECTIONS] + ["Other"]:
        here = sorted(
            (m for m in differ if section_of(m["key"]) == title),
            key=lambda m: headline_first(m["key"]),
        )
        if here:
            shown[title] = here[: SHOWN["section"]]
            left[title] = max(len(here) - SHOWN["section"], 0)
    return shown, left


def text_report(
    names: list[str], folders: list[Path], result: dict, everything: bool = False
) -> str:
    """The comparison as text: a screen or two by default (``digest``), all with ``everything``."""

    def values(entries) -> list[str]:
        rows = [[e["key"], exact(e["a"]), exact(e["b"])] for e in entries]
        return table(["key", "A", "B"], rows, limit=CELL)

    def with_interval(value, span) -> str:
        return number(value) + (f" [{number(span[0])}, {number(span[1])}]" if span else "")

    def change(value) -> str:
        return ("+" if value is not None and value > 0 else "") + number(value)

    def metric_rows(metrics) -> list[str]:
        rows = [
            [
                m["key"],
                with_interval(m["a"], m["a_interval"]),
                with_interval(m["b"], m["b_interval"]),
                change(m["difference"]),
                "*" if m["beyond_intervals"] else "",
            ]
            for m in metrics
        ]
        return table(["key", "A", "B", "B−A", ""], rows)

    def more(count: int, shown: list) -> list[str]:
        if count == 0:
            return []
        return [
            f"  … and {number(count)} more (--all lists them)"
            if shown
            else f"  {number(count)} differ (--all lists them)"
        ]

    metrics = result["metrics"]
    flagged = sum(bool(m["beyond_intervals"]) for m in metrics)
    lines = [f"Run A: {names[0]}  ({folders[0]})", f"Run B: {names[1]}  ({folders[1]})", ""]
    if everything:
        lines += ["Settings that differ", *values(result["settings"]), ""]
        lines += ["Provenance that differs", *values(result["provenance"]), ""]
        lines += ["Metrics (* = the 95 % intervals do not overlap)", *metric_rows(metrics), ""]
        lines += ["Other values that differ", *values(result["other"]), ""]
        differ = sum(number(m["a"]) != number(m["b"]) for m in metrics)
    else:
        shown, left = digest(result)
        for part, title in (
            ("settings", "Settings that differ"),
            ("provenance", "Provenance that differs"),
        ):
            lines += [title, *values(shown[part]), *more(left[part], shown[part]), ""]
        lines += ["Metrics that differ, by section (* = the 95 % intervals do not overlap)"]
        sections = [title for title in shown if title not in SHOWN]
        for title in sections:
            lines += [f" {title}", *metric_rows(shown[title]), *more(left[title], shown[title])]
        lines += ["  (none)"] if not sections else []
        other = values(shown["other"]) if shown["other"] or not left["other"] else []
        lines += ["", "Other values that differ", *other, *more(left["other"], shown["other"])]
        lines.append("")
        differ = sum(len(shown[t]) + left[t] for t in sections)
    lines.append(
        f"{number(len(result['settings']))} settings differ; {number(differ)} of"
        f" {number(len(metrics))} metrics differ as printed, {number(flagged)} flagged"
    )
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "run_a", metavar="RUN_A", nargs="?", help="run name under --results, or its folder"
    )
    parser.add_argument(
        "run_b", metavar="RUN_B", nargs="?", help="run name under --results, or its folder"
    )
    parser.add_argument("--all", action="store_true", help="every metric and value, not a digest")
    parser.add_argument("--json", action="store_true", help="print one strict JSON object")
    parser.add_argument("--results", type=Path, default=Path("results"), help="runs' parent")
    args = parser.parse_args(argv)
    if not args.run_a or not args.run_b:  # `make compare` without A= and B=
        runs = runs_in(args.results)
        parser.print_usage(sys.stderr)
        listed = "\n  ".join(runs) if runs else "none yet (make demo builds one)"
        parser.exit(2, f"runs with a summary.json in {args.results}/:\n  {listed}\n")
    try:
        (folder_a, a), (folder_b, b) = (load_run(r, args.results) for r in (args.run_a, args.run_b))
    except MissingRun as error:
        parser.exit(2, f"{error}\n")
    names = [folder_a.resolve().name, folder_b.resolve().name]
    result = compare(a, b)
    if args.json:
        print(strict_json({"runs": dict(zip("ab", names)), **result}))
    else:
        print(text_report(names, [folder_a, folder_b], result, everything=args.all))


if __name__ == "__main__":
    main()
