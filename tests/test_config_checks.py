"""Config mistakes the schema cannot see stop the run while the Snakefile is parsed (before any
job, even in a dry run) with a message that names the setting, the value and what is expected;
and `make report` hands RAW_CSV to snakemake as one argument."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO
from test_workflow import copy_workflow, snakemake

workflow = pytest.mark.workflow


def dry_run(workdir: Path, *args: str) -> tuple[subprocess.CompletedProcess, str]:
    """A dry run in a copy of the workflow: (result, its stdout and stderr); checks that it
    took seconds and created no results/ folder."""
    start = time.perf_counter()
    result = snakemake(workdir, "--dry-run", *args)
    assert time.perf_counter() - start < 30
    assert not (workdir / "results").exists()
    return result, result.stdout + result.stderr


def dry_run_with(tmp_path: Path, settings: str) -> tuple[subprocess.CompletedProcess, str]:
    workdir = copy_workflow(tmp_path / "workflow")
    (workdir / "bad.yaml").write_text(settings)
    return dry_run(workdir, "--configfile", "bad.yaml")


@workflow
@pytest.mark.parametrize(
    "edges, expected",
    [
        ("[0, 20, 10, 117]", "is not strictly increasing (10 comes after 20)"),
        ("[0, 10, 10, 117]", "is not strictly increasing (10 comes after 10)"),
        ("[0, 10, 20, 116]", "the last edge of [0, 10, 20, 116] is 116"),
    ],
)
def test_bad_age_edges_stop_the_run(tmp_path, edges, expected):
    result, message = dry_run_with(tmp_path, f"figures:\n  age_edges: {edges}\n")
    assert result.returncode != 0
    assert "figures.age_edges:" in message and expected in message
    if "last edge" in expected:
        assert "up to 116 years old" in message and "at least 117" in message
    else:
        assert "larger than the one before it" in message


@workflow
def test_vae_grid_entries_sharing_a_folder_stop_the_run(tmp_path):
    grid = [
        "{latent: 4, beta: 0.01}",
        "{latent: 256, beta: 1}",
        "{latent: 4, beta: 0.010000001}",
    ]
    settings = "vae:\n  grid:\n" + "".join(f"    - {entry}\n" for entry in grid)
    result, message = dry_run_with(tmp_path, settings)
    assert result.returncode != 0
    assert (
        "VAE grid: entries vae.grid #1 {latent: 4, beta: 0.01} and vae.grid #3"
        " {latent: 4, beta: 0.010000001} both map to the results folder"
        " results/paper-synthetic/vae/z4_b0.01/"
    ) in message


@workflow
def test_generation_seeds_that_skip_the_first_vae_seed_stop_the_run(tmp_path):
    settings = "vae:\n  seeds: [1, 2]\nbeyond:\n  generation:\n    seeds: [0, 1, 2]\n"
    result, message = dry_run_with(tmp_path, settings)
    assert result.returncode != 0
    assert (
        "beyond.generation.seeds: [0, 1, 2] starts with 0, but vae.seeds [1, 2] starts with 1"
    ) in message
    assert "e.g. beyond.generation.seeds: [1, 0, 2]" in message


def _torch_sees_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


@workflow
def test_device_cuda_without_a_gpu_stops_the_run(tmp_path):
    if _torch_sees_cuda():
        pytest.skip("this machine has a CUDA device")
    workdir = copy_workflow(tmp_path)
    result, message = dry_run(workdir, "--config", "device=cuda")
    assert result.returncode != 0
    assert "device: cuda, but torch sees no CUDA device" in message
    assert "Use device: auto" in message and "device: cpu" in message


@workflow
@pytest.mark.parametrize(
    "args",
    [
        ["--workflow-profile", "profiles/slurm"],  # the login node: the GPUs are on the nodes
        ["--mode", "subprocess"],  # how a local job re-parses the Snakefile
        ["--mode", "remote"],  # how a job on a cluster node re-parses it
    ],
    ids=["slurm-profile", "local-job", "cluster-job"],
)
def test_device_cuda_is_not_checked_where_jobs_do_not_run(tmp_path, args):
    workdir = copy_workflow(tmp_path)
    result, message = dry_run(workdir, *args, "--config", "device=cuda")
    assert result.returncode == 0, message[-3000:]
    assert "torch sees no CUDA device" not in message


@workflow
def test_raw_csv_directory_is_called_a_directory(tmp_path):
    workdir = copy_workflow(tmp_path)
    (workdir / "faces").mkdir()
    (workdir / "faces" / "age_gender.csv").write_text("age,ethnicity,gender,img_name,pixels\n")
    result, message = dry_run(workdir, "--config", "raw_csv=faces")
    assert result.returncode != 0
    assert "raw_csv: 'faces' is a directory, but a file is expected" in message
    assert "did you mean 'faces/age_gender.csv'?" in message
    assert "does not exist" not in message


@workflow
@pytest.mark.parametrize("name", ["age_gender.csv", "age_gender.csv.gz"])
def test_broken_default_link_stops_auto(tmp_path, name):
    workdir = copy_workflow(tmp_path)
    (workdir / "data").mkdir()
    (workdir / "data" / name).symlink_to("../../shared/data/gone.csv.gz")
    result, message = dry_run(workdir)  # config.yaml: raw_csv: auto
    assert result.returncode != 0
    assert (
        f"raw_csv: auto found data/{name}, but it is a symbolic link to"
        " ../../shared/data/gone.csv.gz" in message
    )
    assert f"(that is {tmp_path.resolve().parent / 'shared' / 'data' / 'gone.csv.gz'})" in message
    assert "which does not exist" in message
    assert "synthetic_faces" not in message  # no silent fallback to the demo faces


@workflow
def test_broken_link_given_as_raw_csv_is_named(tmp_path):
    workdir = copy_workflow(tmp_path)
    (workdir / "faces.csv").symlink_to("/nonexistent/age_gender.csv")
    result, message = dry_run(workdir, "--config", "raw_csv=faces.csv")
    assert result.returncode != 0
    assert (
        "raw_csv: 'faces.csv' is a symbolic link to /nonexistent/age_gender.csv,"
        " which does not exist" in message
    )


def _fake_snakemake(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in for snakemake that records its arguments as JSON: (script, record)."""
    record = tmp_path / "argv.json"
    script = tmp_path / "snakemake"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"json.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n"
    )
    script.chmod(0o755)
    return script, record


def _make_report(directory: Path, tmp_path: Path, *variables: str) -> list[str]:
    """`make report` without the venv and TeX prerequisites: snakemake's arguments."""
    script, record = _fake_snakemake(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("RAW_CSV", "MAKEFLAGS")}
    command = ["make", "-s", "-C", str(directory), "-o", "venv", "-o", "tex", "report"]
    result = subprocess.run(
        [*command, f"SNAKEMAKE={script}", *variables],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(record.read_text())


def test_make_report_passes_raw_csv_as_one_argument(tmp_path):
    path = f"{tmp_path}/my faces;touch {tmp_path}/pwned"
    argv = _make_report(REPO, tmp_path, f"RAW_CSV={path}")
    assert argv.count(f"raw_csv={path}") == 1
    assert argv[argv.index(f"raw_csv={path}") - 1] == "--config"
    assert not (tmp_path / "pwned").exists()


def test_make_report_without_raw_csv_uses_data_file_or_demo(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO / "Makefile", project)
    # No table in data/: the synthetic demo.
    argv = _make_report(project, tmp_path)
    assert argv[argv.index("--configfile") + 1] == "configs/demo.yaml"
    assert not any(arg.startswith("raw_csv=") for arg in argv)
    # A table (or a broken link, which the workflow then reports) in data/: raw_csv: auto.
    (project / "data").mkdir()
    for make_file in (
        lambda path: path.write_text("age,ethnicity,gender,img_name,pixels\n"),
        lambda path: path.symlink_to("gone.csv.gz"),
    ):
        make_file(project / "data" / "age_gender.csv.gz")
        argv = _make_report(project, tmp_path)
        assert argv == ["--cores", "all", "--resources", "gpu=1"]
        (project / "data" / "age_gender.csv.gz").unlink()


@workflow
def test_an_improved_vae_without_a_grid_point_to_compare_with_stops_the_run(tmp_path):
    settings = "beyond:\n  vae_recipe:\n    latent: 64\n"
    result, message = dry_run_with(tmp_path, settings)
    assert result.returncode != 0
    assert "beyond.vae_recipe: latent 64 and beta 0.01 are no point of vae.grid" in message


@workflow
def test_recipe_seeds_that_skip_the_first_vae_seed_stop_the_run(tmp_path):
    settings = "beyond:\n  vae_recipe:\n    seeds: [1, 2]\n"
    result, message = dry_run_with(tmp_path, settings)
    assert result.returncode != 0
    assert "beyond.vae_recipe.seeds: [1, 2] starts with 1, but vae.seeds [0]" in message
