"""What built a run: the code's commit, the settings, the software, where each model trained.

The summary rule stores this under ``provenance.*`` in summary.json and the title page of the
PDF prints it, so a reader can tell two builds apart and rebuild either one.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# Distributions whose versions decide the numbers (names as pip knows them).
PACKAGES = {
    "torch": "torch",
    "snakemake": "snakemake",
    "numpy": "numpy",
    "scikit_image": "scikit-image",
    "scikit_learn": "scikit-learn",
}


def git_state(folder: str | Path) -> dict:
    """The commit checked out in `folder` and whether tracked files differ from it."""

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=30
        )

    try:
        head = git("rev-parse", "HEAD")
        changes = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.TimeoutExpired):
        return {"commit": "unknown (git not found)", "dirty": False}
    if head.returncode != 0:
        return {"commit": "unknown (not a git checkout)", "dirty": False}
    return {"commit": head.stdout.strip(), "dirty": bool(changes.stdout.strip())}


def config_digest(config: dict) -> str:
    """SHA-256 of the resolved settings (keys sorted), the same for the same settings."""
    text = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def versions() -> dict:
    found = {"python": platform.python_version()}
    for key, name in PACKAGES.items():
        try:
            found[key] = version(name)
        except PackageNotFoundError:
            found[key] = "not installed"
    return found


def benchmark_seconds(path: str | Path, column: str = "s") -> float:
    """Wall time of one job from its Snakemake benchmark file (a TSV, column s), or its CPU
    time (``column="cpu_time"``)."""
    lines = Path(path).read_text().splitlines()
    header, values = lines[0].split("\t"), lines[1].split("\t")
    return float(values[header.index(column)])


def training_jobs(histories: dict[str, dict], benchmarks: dict[str, str | Path]) -> dict:
    """Device, precision and wall time of every training job, keyed by the job's name
    (e.g. ``cnn.gender.seed0``), and the totals the title page prints."""
    jobs = {}
    for name, history in histories.items():
        jobs[name] = {
            "device": history.get("device", "unknown"),
            "device_name": history.get("device_name", "unknown"),
            "precision": history.get("precision", "unknown"),
            "seconds": benchmark_seconds(benchmarks[name]),
        }
    kinds = sorted(
        {f"{job['device_name']} ({job['device']}, {job['precision']})" for job in jobs.values()}
    )
    return {
        "jobs": jobs,
        "count": len(jobs),
        "seconds": (seconds := sum(job["seconds"] for job in jobs.values())),
        "minutes": seconds / 60,
        "devices": "; ".join(kinds),
    }


def _tree_text(dirty: bool, known: bool) -> str:
    if not known:
        return "not tracked by git"
    return "with uncommitted changes" if dirty else "no uncommitted changes"


def collect(folder, config: dict, histories: dict, benchmarks: dict) -> dict:
    """Everything above in one tree (flattened into ``provenance.*`` by the summary)."""
    state = git_state(folder)
    known = not state["commit"].startswith("unknown")
    return {
        "commit": state["commit"],
        "commit_short": state["commit"][:12] if known else "unknown",
        "dirty": state["dirty"],
        "tree": _tree_text(state["dirty"], known),
        "config_sha256": (digest := config_digest(config)),
        "config_sha256_short": digest[:12],
        "versions": versions(),
        "training": training_jobs(histories, benchmarks),
    }
