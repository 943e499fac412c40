"""Two runs of the workflow side by side: what they were built with and what they scored.

    python -m facevae.compare RUN_A RUN_B [--json] [--results DIR]

A run is a folder ``results/<run>/`` holding the flat ``summary.json`` of that run; give it by
name (looked up under ``--results``) or as a path to the folder. The comparison lists

- the settings (``config.*`` keys) and the provenance (``provenance.*``) that differ;
- every numeric key of either run (a metric), with its 95 % interval when the summary has
  ``<key>_ci95_low`` / ``<key>_ci95_high``, the difference B - A, and a ``*`` when the two
  intervals do not overlap: a difference larger than the runs' own uncertainty. A metric
  without intervals in both runs is never flagged (``beyond_intervals`` is null in the JSON);
- the strings and booleans that differ (in the JSON under ``other``).

Interval and spread siblings (``_ci95_low``, ``_ci95_high``, ``_seed_sd``) are read with their
metric, not listed as metrics. A run without summary.json stops the command with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

from facevae.files import strict_json
from facevae.latex import MINUS, THIN
from facevae.latex import format_setting as format_number  # unpadded: 0.75 [0.7, 0.8]

MISSING = "—"
SIBLINGS = ("_ci95_low", "_ci95_high", "_seed_sd")
WIDTH = 100  # columns of the text report
CELL = 26  # widest settings / other-value cell in the text, so two runs fit in 100 columns


class MissingRun(Exception):
    """A run named on the command line has no summary.json."""


def load_run(run: str, results: Path) -> tuple[Path, dict]:
    """The folder and summary of a run given by name (under ``results``) or by path."""
    for folder in (results / run, Path(run)):
        if (folder / "summary.json").is_file():
            return folder, json.loads((folder / "summary.json").read_text())
    wanted = Path(run) if Path(run).is_dir() or "/" in run else results / run
    found = sorted(path.parent.name for path in results.glob("*/summary.json"))
    raise MissingRun(
        f"compare: missing {wanted / 'summary.json'}; runs with a summary.json in {results}/: "
        + (", ".join(found) or "none")
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


def text_report(names: list[str], folders: list[Path], result: dict) -> str:
    def values(entries) -> list[str]:
        rows = [[e["key"], exact(e["a"]), exact(e["b"])] for e in entries]
        return table(["key", "A", "B"], rows, limit=CELL)

    def with_interval(value, span) -> str:
        return number(value) + (f" [{number(span[0])}, {number(span[1])}]" if span else "")

    def change(value) -> str:
        return ("+" if value is not None and value > 0 else "") + number(value)

    metrics = result["metrics"]
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
    flagged = sum(bool(m["beyond_intervals"]) for m in metrics)
    lines = [f"Run A: {names[0]}  ({folders[0]})", f"Run B: {names[1]}  ({folders[1]})", ""]
    lines += ["Settings that differ", *values(result["settings"]), ""]
    lines += ["Provenance that differs", *values(result["provenance"]), ""]
    lines += ["Metrics (* = the 95 % intervals do not overlap)"]
    lines += [*table(["key", "A", "B", "B−A", ""], rows), ""]
    lines += ["Other values that differ", *values(result["other"]), ""]
    lines.append(
        f"{len(result['settings'])} settings differ, {len(metrics)} metrics compared, "
        f"{flagged} flagged"
    )
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_a", metavar="RUN_A", help="run name under --results, or its folder")
    parser.add_argument("run_b", metavar="RUN_B", help="run name under --results, or its folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--results", type=Path, default=Path("results"), help="runs' parent")
    args = parser.parse_args(argv)
    try:
        (folder_a, a), (folder_b, b) = (load_run(r, args.results) for r in (args.run_a, args.run_b))
    except MissingRun as error:
        parser.exit(2, f"{error}\n")
    names = [folder_a.resolve().name, folder_b.resolve().name]
    result = compare(a, b)
    if args.json:
        print(strict_json({"runs": dict(zip("ab", names)), **result}))
    else:
        print(text_report(names, [folder_a, folder_b], result))


if __name__ == "__main__":
    main()
