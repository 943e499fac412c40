"""Project hygiene: lint, formatting, config schema, and env files agreeing with the pins."""

import re
import subprocess
import sys

import pytest
import yaml
from conftest import REPO

BIN = REPO / ".venv" / "bin"


def pinned_requirements() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", line)
        if match:
            pins[match[1].lower()] = match[2]
    return pins


def test_conda_envs_name_the_pinned_versions():
    pins = pinned_requirements()
    checked = 0
    for env_file in (REPO / "envs").glob("*.yaml"):
        for dep in yaml.safe_load(env_file.read_text())["dependencies"]:
            specs = dep["pip"] if isinstance(dep, dict) else [dep]
            for spec in specs:
                match = re.match(r"^([A-Za-z0-9_.-]+)={1,2}([^\s=]+)$", spec)
                if match and match[1].lower() in pins:
                    assert match[2] == pins[match[1].lower()], f"{env_file.name}: {spec}"
                    checked += 1
    assert checked >= 8  # every pinned library of the Python env was compared


def test_snakemake_lint_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Congratulations" in result.stdout + result.stderr


def test_snakefmt_is_clean():
    snakefmt = BIN / "snakefmt" if (BIN / "snakefmt").exists() else "snakefmt"
    result = subprocess.run(
        [str(snakefmt), "--check", "Snakefile", "rules"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "override", ["split={'fractions':[0.7,0.3],'seed':1}", "synthetic={'n_faces':-5}"]
)
def test_config_schema_rejects_bad_values(override):
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--dry-run", "--config", override],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "validat" in (result.stdout + result.stderr).lower()
