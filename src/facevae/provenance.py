"""What built a run: the code's commit, the settings, the software, where each model trained.

The summary rule stores this under ``provenance.*`` in summary.json and the title page of the
PDF prints it, so a reader can tell two builds apart and rebuild either one.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
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


def _git(folder: str | Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=30
    )


def git_state(folder: str | Path) -> dict:
    """The commit checked out in `folder` and whether tracked files differ from it."""
    try:
        head = _git(folder, "rev-parse", "HEAD")
        changes = _git(folder, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.TimeoutExpired):
        return {"commit": "unknown (git not found)", "dirty": False}
    if head.returncode != 0:
        return {"commit": "unknown (not a git checkout)", "dirty": False}
    return {"commit": head.stdout.strip(), "dirty": bool(changes.stdout.strip())}


# A repository's web address as git remotes write it: https://host/owner/repo(.git) or
# git@host:owner/repo(.git); the browsable file at a commit is <address>/blob/<commit>/<path>
# (GitLab: /-/blob/).
_REMOTE = re.compile(
    r"^(?:https://(?:[^@/]+@)?|ssh://git@|git@)(?P<host>[A-Za-z0-9.-]+)[:/]"
    r"(?P<path>[A-Za-z0-9._~/-]+?)(?:\.git)?/?$"
)


def source_url(remote: str, commit: str) -> str:
    """The web address under which the repository's files at ``commit`` can be read, from
    the address of its git remote; "" when the remote is not a web host's (a local path,
    an unknown form) or the commit is unknown. The PDF links each figure's and table's
    script there."""
    found = _REMOTE.match(remote.strip())
    if not found or not re.fullmatch(r"[0-9a-f]{7,64}", commit):
        return ""
    blob = "-/blob" if "gitlab" in found["host"] else "blob"
    return f"https://{found['host']}/{found['path']}/{blob}/{commit}/"


def git_remote(folder: str | Path) -> str:
    """The address of the checkout's ``origin`` remote, or "" without one."""
    try:
        found = _git(folder, "remote", "get-url", "origin")
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return found.stdout.strip() if found.returncode == 0 else ""


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


def training_jobs(histories: dict[str, dict]) -> dict:
    """Device, precision and wall time of every training job, keyed by the job's name
    (e.g. ``cnn.gender.seed0``), and the totals the title page prints."""
    jobs = {}
    for name, history in histories.items():
        jobs[name] = {
            "device": history.get("device", "unknown"),
            "device_name": history.get("device_name", "unknown"),
            "precision": history.get("precision", "unknown"),
            "seconds": history["job_seconds"],
        }
    kinds = sorted(
        {f"{job['device_name']} ({job['device']}, {job['precision']})" for job in jobs.values()}
    )
    # Wall time from the first training job's start to the last one's end, from the clock
    # each history recorded (facevae.runtime.Job.timing). Models taken from another run's
    # cache bring their own times; a run resumed days later spans those days too.
    ends = {name: histories[name]["job_finished"] for name in jobs}
    starts = [ends[name] - job["seconds"] for name, job in jobs.items()]
    return {
        "jobs": jobs,
        "count": len(jobs),
        "seconds": (seconds := sum(job["seconds"] for job in jobs.values())),
        "minutes": seconds / 60,
        "wall_minutes": (max(ends.values()) - min(starts)) / 60 if jobs else 0.0,
        "devices": "; ".join(kinds),
    }


def _tree_text(dirty: bool, known: bool) -> str:
    if not known:
        return "not tracked by git"
    return "with uncommitted changes" if dirty else "no uncommitted changes"


def collect(folder, config: dict, histories: dict) -> dict:
    """Everything above in one tree (flattened into ``provenance.*`` by the summary)."""
    state = git_state(folder)
    known = not state["commit"].startswith("unknown")
    return {
        "commit": state["commit"],
        "commit_short": state["commit"][:12] if known else "unknown",
        "dirty": state["dirty"],
        "tree": _tree_text(state["dirty"], known),
        "source_url": source_url(git_remote(folder), state["commit"]) if known else "",
        "config_sha256": (digest := config_digest(config)),
        "config_sha256_short": digest[:12],
        "versions": versions(),
        "training": training_jobs(histories),
    }
