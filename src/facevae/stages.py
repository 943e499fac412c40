"""Where the wall time of a workflow run went: the jobs of one Snakemake log, by stage.

    python -m facevae.stages [LOG] [--rules DIR] [--json]

reads a log Snakemake keeps of every run (``.snakemake/log/<date>.snakemake.log``; without
LOG, the newest) and prints, per stage (the rule file a rule is written in:
``rules/data.smk`` is "data", ...), each rule's job count and the minutes its jobs ran, then
the run's wall time from its first job's start to its last job's end. Jobs that ran side
by side both count in full, so the stages can sum to more than the wall time; the table
says how much of the sum overlapped. Jobs still running or that failed are listed apart.

Snakemake writes a time stamp line before each job's "rule NAME:" block (with its
"jobid: N") and before each "Finished jobid: N (Rule: NAME)" line; those are all this reads.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from facevae.files import strict_json

STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
START = re.compile(r"^(?:local)?rule (\w+):$")
JOBID = re.compile(r"^\s+jobid: (\d+)$")
FINISHED = re.compile(r"^Finished jobid: (\d+) \(Rule: (\w+)\)$")
RULE_LINE = re.compile(r"^(?:use rule \w+ as )?(?:rule )?(\w+)(?: with)?:\s*$")


def _stamp(text: str) -> datetime:
    return datetime.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %Y")


def parse_log(text: str) -> list[dict]:
    """Every job of a Snakemake log: {jobid, rule, start, end} (datetimes; end None when
    the log has no "Finished" line for it, e.g. a failed or interrupted job), in the order
    the jobs started. Jobs a dry run only lists (no time stamp before them) are skipped."""
    jobs: dict[int, dict] = {}
    stamp, rule, pending = None, None, False
    for line in text.splitlines():
        if match := STAMP.match(line.strip()):
            stamp, rule, pending = _stamp(match.group(1)), None, True
            continue
        if pending and (match := START.match(line)):
            rule = match.group(1)
            continue
        if pending and rule and (match := JOBID.match(line)):
            jobs[int(match.group(1))] = {"rule": rule, "start": stamp, "end": None}
            rule, pending = None, False
            continue
        if pending and (match := FINISHED.match(line.strip())):
            job = jobs.get(int(match.group(1)))
            if job is not None:
                job["end"] = stamp
            pending = False
    return [{"jobid": jobid} | job for jobid, job in jobs.items()]


def rule_stages(rules_dir) -> dict[str, str]:
    """{rule: stage}: the stem of the rule file (rules/<stage>.smk) that defines it, for
    every ``rule NAME:`` and ``use rule X as NAME with:`` of the folder."""
    stages = {}
    for path in sorted(Path(rules_dir).glob("*.smk")):
        for line in path.read_text().splitlines():
            if line.startswith(("rule ", "use rule ")):
                match = RULE_LINE.match(line)
                if match:
                    stages[match.group(1)] = path.stem
    return stages


def stage_table(jobs: list[dict], stages: dict[str, str]) -> dict:
    """The jobs summed per stage and rule: {"stages": {stage: {"minutes", "jobs", "rules":
    {rule: {"jobs", "minutes"}}}}, "wall_minutes", "busy_minutes" (at least one job
    running), "job_minutes" (summed over jobs), "unfinished": [rules]}, stages in the order
    their first job started."""
    done = [job for job in jobs if job["end"] is not None]
    out: dict = {"stages": {}, "unfinished": [job["rule"] for job in jobs if job["end"] is None]}
    for job in done:
        minutes = (job["end"] - job["start"]).total_seconds() / 60
        stage = out["stages"].setdefault(
            stages.get(job["rule"], "other"), {"minutes": 0.0, "jobs": 0, "rules": {}}
        )
        rule = stage["rules"].setdefault(job["rule"], {"jobs": 0, "minutes": 0.0})
        for total in (stage, rule):
            total["jobs"] += 1
            total["minutes"] += minutes
    out["job_minutes"] = sum(stage["minutes"] for stage in out["stages"].values())
    out["wall_minutes"] = out["busy_minutes"] = 0.0
    if done:
        first = min(job["start"] for job in done)
        out["wall_minutes"] = (max(job["end"] for job in done) - first).total_seconds() / 60
        # The union of the jobs' intervals: time with at least one job running.
        spans = sorted((job["start"], job["end"]) for job in done)
        busy, (start, end) = 0.0, spans[0]
        for begin, finish in spans[1:]:
            if begin > end:
                busy, start = busy + (end - start).total_seconds(), begin
            end = max(end, finish)
        out["busy_minutes"] = (busy + (end - start).total_seconds()) / 60
    return out


def _clock(minutes: float) -> str:
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def markdown(table: dict) -> str:
    """The table as Markdown: one row per rule under its stage's subtotal, then the totals."""
    lines = ["| stage | rule | jobs | minutes |", "|---|---|---:|---:|"]
    for name, stage in table["stages"].items():
        lines.append(f"| **{name}** | | **{stage['jobs']}** | **{stage['minutes']:.1f}** |")
        for rule, found in sorted(stage["rules"].items(), key=lambda item: -item[1]["minutes"]):
            lines.append(f"| | {rule} | {found['jobs']} | {found['minutes']:.1f} |")
    overlap = table["job_minutes"] - table["busy_minutes"]
    idle = table["wall_minutes"] - table["busy_minutes"]
    lines.append(
        f"\nWall time {_clock(table['wall_minutes'])} (first job's start to last job's end),"
        f" {idle:.1f} min of it with no job running; the jobs ran"
        f" {table['job_minutes']:.1f} min in all, {overlap:.1f} of them beside another job."
    )
    if table["unfinished"]:
        counts = Counter(table["unfinished"])
        listed = ", ".join(f"{rule} ({n})" if n > 1 else rule for rule, n in counts.items())
        lines.append(f"Not finished in this log (failed or interrupted): {listed}.")
    return "\n".join(lines)


def newest_log(root=".") -> Path:
    logs = sorted(Path(root, ".snakemake", "log").glob("*.snakemake.log"))
    if not logs:
        raise SystemExit(f"no Snakemake log under {Path(root, '.snakemake', 'log')}")
    return logs[-1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log", nargs="?", help="a .snakemake/log/*.snakemake.log (default: newest)")
    parser.add_argument("--rules", default="rules", help="folder of the rule files")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    path = Path(args.log) if args.log else newest_log()
    table = stage_table(parse_log(path.read_text()), rule_stages(args.rules))
    print(strict_json(table, indent=1) if args.json else f"{path}\n\n{markdown(table)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
