"""Which table a run reads and what the run is called.

The Snakefile resolves the ``raw_csv`` setting here while it is parsed, so this module
imports nothing numerical. A problem is raised as ValueError with a message for the user;
the workflow shows it as a WorkflowError before any job starts.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

# Where `raw_csv: auto` looks for the table, in this order.
DEFAULT_RAW_CSV = ("data/age_gender.csv", "data/age_gender.csv.gz")
KAGGLE_URL = "https://www.kaggle.com/datasets/nipunarora8/age-gender-and-ethnicity-face-data-csv"
SYNTHETIC = "synthetic"  # the table half of a run's name on generated faces
LABEL_LENGTH = 60  # longest table half of a run's folder name, in characters
# Characters a table's path may not hold: braces are Snakemake's wildcards, and the rest
# would be markup in the HTML report (or a broken line in a log); the path reaches both.
_UNSAFE = re.compile(r"[{}<>\"'`\x00-\x1f\x7f]")


def raw_csv_problem(path) -> str | None:
    """Why ``path``, which is present (or a dangling link), cannot be the face table; None if
    it can (a regular file, or a link to one) or if nothing is there."""
    path = Path(path)
    if path.is_symlink() and not path.exists():
        target = path.readlink()
        try:
            end = path.resolve()
        except (OSError, RuntimeError):  # the links form a loop
            return f"is a symbolic link to {target}, part of a loop of links"
        where = "" if end == target else f" (that is {end})"
        return f"is a symbolic link to {target}{where}, which does not exist"
    if path.is_dir():
        inside = [path / name for name in ("age_gender.csv", "age_gender.csv.gz")]
        found = [str(p) for p in inside if p.is_file()]
        hint = f"; did you mean {found[0]!r}?" if found else ""
        return (
            f"is a directory, but a file is expected: the face table itself (.csv or .csv.gz){hint}"
        )
    if path.exists() and not path.is_file():
        return "is not a regular file; the face table must be a .csv or .csv.gz file"
    return None


def resolve_raw_csv(value: str) -> str | None:
    """The table a run reads: a path, or None for the synthetic demo faces.

    ``auto`` takes the first of DEFAULT_RAW_CSV that exists (a broken one is an error, not a
    silent switch to the demo), ``synthetic`` the generated faces, anything else a path that
    must name a file."""
    if value == "auto":
        for path in DEFAULT_RAW_CSV:
            problem = raw_csv_problem(path)
            if problem:
                raise ValueError(
                    f"raw_csv: auto found {path}, but it {problem}.\n"
                    "  Put the face table there or remove it (without it, auto uses the"
                    " synthetic demo faces)."
                )
        found = [path for path in DEFAULT_RAW_CSV if Path(path).exists()]
        return found[0] if found else None
    if value == SYNTHETIC:
        return None
    unsafe = sorted(set(_UNSAFE.findall(value)))
    if unsafe:
        shown = " ".join(repr(c) for c in unsafe)
        raise ValueError(
            f"raw_csv: the path {value!r} holds {shown}, which Snakemake reads as wildcards"
            " ({ }) or the HTML report as markup.\n"
            "  Rename the file or folder, or point raw_csv at a symbolic link to it whose path"
            " has none of these characters."
        )
    problem = raw_csv_problem(value)
    if problem:
        raise ValueError(
            f"raw_csv: {value!r} {problem}.\n"
            "  raw_csv must name the face table file: --config raw_csv=PATH/age_gender.csv"
        )
    if not Path(value).is_file():
        raise ValueError(
            f"raw_csv: the file {value!r} does not exist.\n"
            f"  The face table is the Kaggle file age_gender.csv from {KAGGLE_URL}\n"
            "  (download it, then pass --config raw_csv=PATH, or put it at data/age_gender.csv).\n"
            "  To run the demo on generated faces instead: make demo, or\n"
            "  snakemake --cores all --resources gpu=1 --configfile configs/demo.yaml"
        )
    return value


def table_label(path) -> str:
    """The data half of a run's name: the table's file name without .csv/.gz, in letters,
    digits and underscores (data/age_gender.csv.gz -> age_gender). A name longer than
    LABEL_LENGTH is cut and ends in 8 hex digits of its hash, so two long names that share
    their start still get two folders."""
    stem = Path(path).name.removesuffix(".gz").removesuffix(".csv")
    label = re.sub(r"[^A-Za-z0-9_]+", "_", stem) or "table"
    if len(label) > LABEL_LENGTH:
        digest = hashlib.sha256(stem.encode()).hexdigest()[:8]
        label = f"{label[: LABEL_LENGTH - 9]}_{digest}"
    return label


def check_same_table(run_dir, table: str | None) -> None:
    """Refuse to run on ``table`` in ``run_dir`` when that folder was made from another file
    of the same name (its data/quality.json records the path it read): the two would share
    models and numbers. Nothing to check before the first ingest, or for generated faces."""
    quality = Path(run_dir) / "data" / "quality.json"
    if table is None or not quality.is_file():
        return
    try:
        made_from = json.loads(quality.read_text()).get("path")
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return  # a damaged file is rebuilt by ingest; it decides nothing here
    here = str(Path(table).resolve())
    if made_from and made_from != here:
        raise ValueError(
            f"raw_csv: {here} has the same name as the table {made_from}, from which"
            f" {run_dir}/ was made; a run's folder is named after the table's file name.\n"
            "  Give this run a name of its own (--config run=NAME), or remove"
            f" {run_dir}/ to rebuild it from the new table."
        )


def run_name(run: str, table: str | None) -> str:
    """A run's folder under results/: <run>-<table>, e.g. cpu-age_gender, demo-synthetic."""
    return f"{run}-{SYNTHETIC if table is None else table_label(table)}"
