"""Which training jobs are running, how far they are and when they will end.

    python -m facevae.status [--results DIR] [--all]

reads the status files the training jobs keep beside their logs
(``DIR/<run>/logs/**/*.progress.json``, see ``facevae.progress``) and prints one line per job
that has not finished: run, job, epoch and percent done, images/s, time left and the expected
end on this machine's clock. A job is marked "stalled?" when its process is gone (checked for
jobs of this host only) or its file was not updated for more than ten minutes. ``--all``
lists finished jobs too.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from pathlib import Path

from facevae.files import read_json
from facevae.progress import STATUS_SUFFIX, clock_time, duration

SILENT_AFTER = 600.0  # seconds without an update before a job counts as stalled


# The numbers a status file holds (facevae.progress); each may be missing or null.
NUMBERS = ("epoch", "epochs", "batch", "batches", "images_per_s", "expected_end", "updated")


def _problem(job) -> str | None:
    """Why a status file's content cannot be shown, or None."""
    if not isinstance(job, dict) or not isinstance(job.get("name"), str):
        return "not a job's status (no name)"
    wrong = [
        key
        for key in NUMBERS
        if job.get(key) is not None
        and (isinstance(job[key], bool) or not isinstance(job[key], (int, float)))
    ]
    return f"not a number: {', '.join(wrong)}" if wrong else None


def find_jobs(results, skipped: list | None = None) -> list[dict]:
    """The status of every job under ``results``, each with its ``run`` (folder under
    ``results``) and ``path``. A file that cannot be read or holds no valid status is left
    out and, with ``skipped``, added to it with the reason."""
    results = Path(results)
    jobs = []
    for path in sorted(results.glob(f"*/logs/**/*{STATUS_SUFFIX}")):
        try:
            job = read_json(path)
            problem = _problem(job)
        except ValueError:  # facevae.files.DamagedFile: cut short, not JSON
            problem = "cannot be read: damaged or cut short"
        except OSError as err:
            problem = f"cannot be read: {err.strerror or err}"
        if problem is None:
            jobs.append(job | {"run": path.relative_to(results).parts[0], "path": str(path)})
        elif skipped is not None:
            skipped.append(f"{path}: {problem}")
    return jobs


def pid_alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError, TypeError, OverflowError):
        return True  # alive under another user, or nothing to check
    return True


def stalled_reason(job: dict, now: float) -> str | None:
    """Why an unfinished job looks dead, or None while it looks alive."""
    if job.get("host") == socket.gethostname() and not pid_alive(job.get("pid")):
        return f"process {job.get('pid')} is gone"
    silent = now - float(job.get("updated") or 0)
    if silent > SILENT_AFTER:
        return f"no update for {duration(silent)}"
    return None


def _row(job: dict, now: float) -> list[str]:
    epochs, batches = job.get("epochs") or 0, job.get("batches") or 0
    epoch, batch = job.get("epoch") or 0, job.get("batch") or 0
    done = (epoch - 1 + (batch / batches if batches else 0)) / epochs if epochs else 0.0
    rate = job.get("images_per_s")
    end = job.get("expected_end")
    if job.get("finished"):
        state, left, ends = "finished", "-", clock_time(job.get("updated") or now, now)
    else:
        reason = stalled_reason(job, now)
        state = "running" if reason is None else f"stalled? ({reason})"
        left = "?" if end is None else duration(max(end - now, 0.0))
        ends = "?" if end is None else clock_time(end, now)
    return [
        job["run"],
        job["name"],
        f"{epoch}/{epochs} ({100 * min(max(done, 0.0), 1.0):.0f}%)",
        "?" if rate is None else f"{rate:.0f}",
        left,
        ends,
        state,
    ]


HEADER = ["RUN", "JOB", "EPOCH", "IMAGES/S", "LEFT", "ENDS", "STATE"]


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def report(results="results", show_all: bool = False, now: float | None = None) -> str:
    """The text ``python -m facevae.status`` prints."""
    now = time.time() if now is None else now
    skipped = []
    jobs = find_jobs(results, skipped)
    finished = [job for job in jobs if job.get("finished")]
    open_jobs = [job for job in jobs if not job.get("finished")]
    shown = jobs if show_all else open_jobs
    lines = _table([HEADER] + [_row(job, now) for job in shown]) if shown else []
    stalled = sum(stalled_reason(job, now) is not None for job in open_jobs)
    running = len(open_jobs) - stalled
    counts = f"{len(finished)} finished" + (f", {stalled} stalled?" if stalled else "")
    if running:
        summary = f"{running} training job{'s' if running > 1 else ''} running, {counts}"
    else:
        summary = f"no training job is running ({counts})"
    if finished and not show_all:
        summary += "; --all lists the finished ones"
    if skipped:
        summary += f"\nskipped {len(skipped)} unreadable status file(s):\n  " + "\n  ".join(skipped)
    return "\n".join(lines + [summary])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m facevae.status", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--results", default="results", help="results folder (default: results)")
    parser.add_argument("--all", action="store_true", help="list finished jobs too")
    args = parser.parse_args(argv)
    print(report(args.results, args.all))
    return 0


if __name__ == "__main__":
    sys.exit(main())
