"""Project hygiene: lint, formatting, config schema, and the conda env files agreeing with the
pins (they are not solved by conda here: see the header of envs/python.yaml)."""

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib

import pytest
import yaml
from conftest import REPO
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet

BIN = REPO / ".venv" / "bin"


def normalise(name: str) -> str:
    """A distribution name as pip compares them (PyWavelets, pywavelets -> pywavelets)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_requirements() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", line)
        if match:
            pins[normalise(match[1])] = match[2]
    return pins


# Imported by the rules' code only through another package: scikit-image's denoise_wavelet and
# estimate_sigma (facevae.restore) import pywt when called.
INDIRECT_IMPORTS = {"pywavelets"}


def distributions_the_rules_import() -> set[str]:
    """Distributions whose modules the code run by the rules (src/facevae, scripts/) imports."""
    modules = set()
    for path in [*(REPO / "src" / "facevae").glob("*.py"), *(REPO / "scripts").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    modules -= set(sys.stdlib_module_names) | {"facevae"}
    owners = importlib.metadata.packages_distributions()
    dists = {normalise(dist) for module in modules for dist in owners.get(module, [module])}
    return dists | INDIRECT_IMPORTS


def python_env() -> tuple[dict[str, str | None], list[str]]:
    """envs/python.yaml as {normalised name: pinned version or None} and its pip lines."""
    env = yaml.safe_load((REPO / "envs" / "python.yaml").read_text())
    listed, pip_lines = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_lines = [str(line) for line in dep["pip"]]
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(?:={1,2}\s*([^\s=<>!]+))?", dep)
        assert match, f"python.yaml: conda entry {dep!r} is not name or name=version"
        listed[normalise(match[1])] = match[2]
    for line in pip_lines:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue  # reported by test_python_env_pip_lines_are_requirement_lines
        pins = [spec.version for spec in req.specifier if spec.operator == "=="]
        listed[normalise(req.name)] = pins[0] if pins else None
    return listed, pip_lines


def test_env_files_parse():
    for env_file in (REPO / "envs").glob("*.yaml"):
        env = yaml.safe_load(env_file.read_text())
        assert env["channels"] and env["dependencies"], env_file.name


def test_python_env_pins_what_the_rules_import():
    pins = pinned_requirements()
    listed, _ = python_env()
    imported = distributions_the_rules_import()
    assert {"numpy", "torch", "isal", "scikit-image"} <= imported  # the scan found imports
    unpinned = imported - pins.keys()
    assert not unpinned, f"imported by the rules but not pinned in requirements.txt: {unpinned}"
    for dist in sorted(imported):
        assert listed.get(dist) == pins[dist], (
            f"envs/python.yaml: {dist} must be pinned to {pins[dist]} as in requirements.txt,"
            f" not {listed.get(dist, 'missing')}"
        )
    # Nothing else in the env contradicts requirements.txt either (pyyaml, jsonschema, ...).
    for dist, version in listed.items():
        if dist in pins and version is not None:
            assert version == pins[dist], f"envs/python.yaml: {dist}={version}, pin {pins[dist]}"


def test_python_env_satisfies_the_package_dependencies():
    """The post-deploy script installs facevae with --no-deps, so the env itself must hold
    every dependency pyproject.toml declares, in a version it accepts."""
    listed, _ = python_env()
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for line in project["dependencies"]:
        req = Requirement(line)
        version = listed.get(normalise(req.name))
        assert version is not None, f"envs/python.yaml lacks a pinned {req.name}"
        assert req.specifier.contains(version), f"{req.name} {version} breaks {line!r}"
    python = listed.get("python")
    assert python and SpecifierSet(project["requires-python"]).contains(python + ".0")


def test_python_env_pip_lines_are_requirement_lines():
    """conda writes the pip entries, one a line, to a requirements file and runs pip -r on it:
    every entry must be a plain requirement (no trailing comment, no option before it). A local
    path (-e ..) is refused: Snakemake copies the env file into .snakemake/conda/ first, so a
    relative path would point there; python.post-deploy.sh installs the package instead."""
    _, pip_lines = python_env()
    assert pip_lines, "envs/python.yaml has no pip section (torch, isal)"
    for line in pip_lines:
        assert not line.lstrip().startswith("-"), f"pip line {line!r}: options or -e paths break"
        try:
            req = Requirement(line)
        except InvalidRequirement as error:
            raise AssertionError(f"pip line {line!r} is not a requirement: {error}") from None
        assert req.url is None and str(req) == line.strip(), f"pip line {line!r}"
        assert [spec.operator for spec in req.specifier] == ["=="], f"{line!r} is not pinned"


def test_python_env_post_deploy_installs_the_package():
    script = REPO / "envs" / "python.post-deploy.sh"
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert re.search(r"^python -m pip install --no-deps -e \"\$PWD\"$", text, re.M)
    subprocess.run(["bash", "-n", str(script)], check=True)
    # Run from anywhere but the repository root, it refuses instead of installing something.
    result = subprocess.run(["bash", str(script)], cwd=REPO / "envs", capture_output=True)
    assert result.returncode == 1 and b"not the facevae repository" in result.stderr


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
    "override, expected",
    [
        ("split={'fractions':[0.7,0.3],'seed':1}", "split.fractions: [0.7, 0.3] breaks minItems"),
        ("synthetic={'n_faces':-5}", "synthetic.n_faces: -5 must be at least 50"),
    ],
)
def test_config_schema_rejects_bad_values(override, expected):
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--dry-run", "--config", override],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert expected in result.stdout + result.stderr


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_is_clean(command):
    """The Python of the package, the scripts and the tests passes `make lint`'s ruff steps."""
    ruff = BIN / "ruff" if (BIN / "ruff").exists() else "ruff"
    result = subprocess.run(
        [str(ruff), *command, "src", "scripts", "tests"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_scripts_are_thin():
    """A script reads its inputs, calls the package and writes its outputs: at most 40
    lines (docs/architecture.md); anything longer belongs in src/facevae."""
    long = {
        path.name: n
        for path in sorted((REPO / "scripts").glob("*.py"))
        if (n := len(path.read_text().splitlines())) > 40
    }
    assert not long, f"scripts over 40 lines: {long}"


def test_pyproject_declares_every_library_the_package_imports():
    """`pip install .` alone must give a working package: each third-party module imported
    anywhere in src/facevae belongs to a distribution that pyproject.toml lists."""
    imported = set()
    for path in (REPO / "src" / "facevae").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"facevae"}
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = {normalise(Requirement(line).name) for line in project["dependencies"]}
    owners = importlib.metadata.packages_distributions()
    for module in sorted(third_party):
        dists = {normalise(d) for d in owners.get(module, [module])}
        assert dists & declared, f"src/facevae imports {module} ({dists}): not in pyproject.toml"
    assert normalise("PyWavelets") in declared  # scikit-image's wavelet denoising needs it
