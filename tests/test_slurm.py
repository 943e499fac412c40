"""The workflow through profiles/slurm on a throw-away one-node SLURM cluster (make test-slurm).

The cluster tests run only with FACEVAE_SLURM_TEST=1 (make test-slurm sets it): they need root
or password-less sudo, install SLURM from apt when it is missing, and take a few minutes.
tests/slurm/cluster.sh starts munge, MariaDB, slurmdbd, slurmctld and slurmd with all their
state in a temporary directory and stops them again when the tests end, pass or fail. The
static checks of the local rules and the profile run in every `make test`.
"""

import getpass
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from pypdf import PdfReader
from test_workflow import copy_workflow

CLUSTER_SCRIPT = REPO / "tests" / "slurm" / "cluster.sh"
ACCOUNT, PARTITION = "facevae", "debug"  # what cluster.sh creates
# The rules that profiles/slurm submits; every other rule must be a localrule.
GPU_RULES = {
    "train_cnn",
    "train_vae",
    "validate_vae",
    "evaluate_vae",
    "restore_faces",
    "interpolate",
    "train_variant",
    "train_multitask",
    "generation",
    "restore_search",
    "restore_search_recipe",
    "attribute_change",
    "ensemble",
}
SUBMITTED = GPU_RULES | {"evaluate_cnn"}

enabled = os.environ.get("FACEVAE_SLURM_TEST") == "1"
needs_cluster = pytest.mark.skipif(
    not enabled, reason="SLURM cluster test: run `make test-slurm` (FACEVAE_SLURM_TEST=1)"
)


def rule_bodies() -> dict[str, str]:
    """Each rule's text by name, from the Snakefile and rules/*.smk."""
    text = (REPO / "Snakefile").read_text() + "".join(
        p.read_text() for p in sorted((REPO / "rules").glob("*.smk"))
    )
    # `rule name:` and `use rule other as name with:` (which inherits what it does not set)
    found = re.finditer(
        r"^(?:rule|use rule \w+ as) (\w+)(?: with)?:\n((?:[ \t]+.*\n|\n)*)", text, flags=re.M
    )
    return {match.group(1): match.group(2) for match in found}


def rule_names() -> set[str]:
    return set(rule_bodies())


def local_rules() -> set[str]:
    """The rules marked `localrule: True`, which run on the submitting host."""
    marked = re.compile(r"^[ \t]+localrule: True$", re.M)
    return {name for name, body in rule_bodies().items() if marked.search(body)}


def test_every_rule_is_either_submitted_or_local():
    rules = rule_names()
    assert SUBMITTED <= rules
    assert local_rules() <= rules, "localrules names a rule that does not exist"
    assert local_rules().isdisjoint(SUBMITTED)
    missing = rules - SUBMITTED - local_rules()
    assert not missing, f"mark these `localrule: True` (or add them to SUBMITTED): {missing}"


def test_slurm_profile_sizes_every_gpu_rule():
    profile = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    assert profile["executor"] == "slurm"
    assert set(profile["set-resources"]) == GPU_RULES
    for rule, resources in profile["set-resources"].items():
        assert {"runtime", "mem_mb", "cpus_per_gpu"} <= set(resources), rule
        assert profile["set-threads"][rule] == resources["cpus_per_gpu"], rule
    assert "gpu" not in profile.get("resources", {})  # SLURM, not snakemake, counts GPUs here


# --- on the one-node cluster -------------------------------------------------------------


def as_root(command: list[str]) -> list[str]:
    return command if os.geteuid() == 0 else ["sudo", "-n", *command]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Environment for SLURM clients of a running test cluster; stopped at the end."""
    subprocess.run([str(CLUSTER_SCRIPT), "install"], check=True, timeout=1200)
    state = tmp_path_factory.mktemp("slurm")
    try:
        started = time.perf_counter()
        subprocess.run(
            as_root([str(CLUSTER_SCRIPT), "start", str(state), getpass.getuser()]),
            check=True,
            timeout=600,
        )
        print(f"\ncluster up in {time.perf_counter() - started:.0f} s")
        yield os.environ | {
            "SLURM_CONF": str(state / "etc" / "slurm.conf"),
            "PATH": f"{state / 'bin'}{os.pathsep}{os.environ['PATH']}",
        }
    finally:
        subprocess.run(as_root([str(CLUSTER_SCRIPT), "stop", str(state)]), timeout=300)


def node_size(env) -> tuple[int, int]:
    """CPUs and memory (MB) of the cluster's node."""
    out = subprocess.run(
        ["sinfo", "-h", "-N", "-o", "%c %m"], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), int(out[1])


def fit_profile(path: Path, cpus: int, memory_mb: int) -> None:
    """profiles/slurm as a user of this cluster fills it in: its account and partition, and
    no job asking for more CPUs or memory than the one node has. Everything else (executor,
    GPU requests, runtimes, localrules) stays as shipped."""
    profile = yaml.safe_load(path.read_text())
    profile["default-resources"] |= {"slurm_account": ACCOUNT, "slurm_partition": PARTITION}
    profile["cores"] = min(profile["cores"], cpus)
    for rule, threads in profile["set-threads"].items():
        profile["set-threads"][rule] = min(threads, cpus)
    for resources in [profile["default-resources"], *profile["set-resources"].values()]:
        for key, limit in [("cpus_per_gpu", cpus), ("cpus_per_task", cpus)]:
            if key in resources:
                resources[key] = min(resources[key], limit)
        if "mem_mb" in resources:
            resources["mem_mb"] = min(resources["mem_mb"], memory_mb // 2)
    path.write_text(yaml.safe_dump(profile, sort_keys=False))


def sacct(env, *args: str) -> list[dict[str, str]]:
    fields = ["JobID", "JobName", "Comment", "ReqTRES", "AllocTRES", "State", "Elapsed"]
    out = subprocess.run(
        ["sacct", "-X", "-P", "-n", "-a", "-S", "2000-01-01", f"--format={','.join(fields)}"]
        + list(args),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [dict(zip(fields, line.split("|"))) for line in out.splitlines() if line]


def job_rule(comment: str, rules: set[str]) -> str:
    """The rule of a job from the comment the plugin gives it: rule_<name>[_wildcards_...]."""
    for rule in sorted(rules, key=len, reverse=True):
        if comment == f"rule_{rule}" or comment.startswith(f"rule_{rule}_wildcards_"):
            return rule
    raise AssertionError(f"SLURM job comment names no rule: {comment!r}")


@pytest.fixture(scope="module")
def slurm_run(cluster, tmp_path_factory):
    workdir = copy_workflow(tmp_path_factory.mktemp("slurm_workflow"))
    fit_profile(workdir / "profiles" / "slurm" / "config.yaml", *node_size(cluster))
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--workflow-profile", "profiles/slurm"]
        + ["--configfile", "tests/smoke.yaml", "--slurm-keep-successful-logs"],
        cwd=workdir,
        env=cluster,
        capture_output=True,
        text=True,
        timeout=900,
    )
    log = result.stdout + result.stderr
    (tmp_path_factory.getbasetemp() / "slurm_snakemake.log").write_text(log)
    assert result.returncode == 0, log[-4000:]
    print(f"workflow through profiles/slurm: {time.perf_counter() - started:.0f} s")
    run_id = re.search(r"SLURM run ID: (\S+)", log).group(1)
    jobs = sacct(cluster, f"--name={run_id}")
    print("sacct -X --format=" + "|".join(jobs[0]) if jobs else "sacct: no jobs")
    for job in jobs:
        print("|".join(job.values()))
    return workdir, log, jobs


@needs_cluster
def test_report_pdf_is_built_on_the_cluster(slurm_run):
    workdir, _, _ = slurm_run
    reader = PdfReader(workdir / "report" / "report.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "synthetic demo data (400 generated faces)" in text


@needs_cluster
def test_only_training_and_evaluation_are_submitted(slurm_run):
    _, log, jobs = slurm_run
    rules = rule_names()
    submitted = [job_rule(job["Comment"], rules) for job in jobs]
    assert set(submitted) <= SUBMITTED
    counts = {rule: submitted.count(rule) for rule in set(submitted)}
    assert counts["train_cnn"] == 3 * 2  # gender, ethnicity, age; two seeds (tests/smoke.yaml)
    assert counts["evaluate_cnn"] == 3  # one summary over the seeds per task
    # Chapter 2's grid (four points, one seed) is trained, validated and evaluated; the
    # mixture-prior VAE of beyond.generation is only trained, then measured by `generation`,
    # as is every VAE setting on its first seed. The mixture and its standard-prior twin
    # (z4_b1) are also trained and measured on the second seed of beyond.generation.seeds
    # ([0, 1] in tests/smoke.yaml), to be compared seed by seed: 2 jobs more of each. The
    # improved VAE trains on its two seeds and its two ablation variants on one; its seeds
    # and its twin's second are evaluated on the test faces, the ablation's runs (and the
    # recipe's first seed) on the validation faces, and its first seed is measured.
    assert counts["validate_vae"] == counts["evaluate_vae"] == 4 + 3
    assert counts["train_vae"] == 4 + 1 + 2 + 2 + 2
    assert counts["generation"] == 4 + 1 + 2 + 1
    assert counts["ensemble"] == counts["restore_search_recipe"] == 1
    assert counts["restore_faces"] == counts["interpolate"] == 1
    assert all(job["State"] == "COMPLETED" for job in jobs)
    # The cheap rules ran on this host: no SLURM job of theirs, a local job in the log.
    assert local_rules().isdisjoint(submitted)
    for rule in ("ingest", "split", "select_best_vae", "summary", "report"):
        assert f"localrule {rule}:" in log


@needs_cluster
def test_gpu_rules_ran_with_a_gpu_and_the_rest_without(slurm_run):
    _, _, jobs = slurm_run
    rules = rule_names()
    for job in jobs:
        rule = job_rule(job["Comment"], rules)
        if rule in GPU_RULES:
            assert "gres/gpu=1" in job["ReqTRES"] and "gres/gpu=1" in job["AllocTRES"], job
        else:
            assert "gres/gpu" not in job["AllocTRES"], job


@needs_cluster
def test_a_gpu_job_sees_the_device_slurm_gave_it(cluster, tmp_path):
    """SLURM sets CUDA_VISIBLE_DEVICES for --gpus jobs, so facevae.gpus leaves it alone."""
    probe = (
        "import os; from facevae.gpus import claim_device\n"
        f"with claim_device(2, {str(tmp_path / 'locks')!r}) as index:\n"
        "    print(os.environ['CUDA_VISIBLE_DEVICES'], index)\n"
    )
    out = tmp_path / "probe.out"
    subprocess.run(
        ["sbatch", "--wait", "--gpus=1", "--mem=500", f"--account={ACCOUNT}", f"--output={out}"]
        + [f"--wrap={shlex.join([sys.executable, '-c', probe])}"],
        env=cluster,
        check=True,
        timeout=300,
        capture_output=True,
    )
    assert out.read_text().split() == ["0", "None"]
