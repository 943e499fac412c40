"""A VAE training job killed mid-run resumes from its last finished epoch when the workflow is
run again, and ends with the same weights as a run that was never interrupted."""

import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from test_workflow import copy_workflow

pytestmark = pytest.mark.workflow
RUN = "results/smoke-synthetic"  # tests/smoke.yaml on the synthetic faces
TARGET = f"{RUN}/vae/z4_b1/seed0/model.pt"
# On top of tests/smoke.yaml: enough epochs that the kill lands mid-run. The precision is
# fixed: with `auto`, each run's probe measures on cores the other tests share, and two
# runs that picked differently would differ in their weights for that reason alone.
RESUME_YAML = (
    "vae: {epochs: 25, channels: [4, 8, 8], hidden: [16], batch_size: 32}\nprecision: fp32\n"
)


def command(*extra):
    """Snakemake on the one VAE target; options with several values go last."""
    smk = [sys.executable, "-m", "snakemake", TARGET, "--cores", "2", *extra]
    return smk + ["--configfile", "tests/smoke.yaml", "resume.yaml"]


def weights(path):
    return torch.load(path, weights_only=True)["state"]


def test_killed_training_resumes_to_the_same_weights(tmp_path):
    straight = copy_workflow(tmp_path / "straight")
    (straight / "resume.yaml").write_text(RESUME_YAML)
    subprocess.run(command(), cwd=straight, check=True, capture_output=True, timeout=600)

    killed = copy_workflow(tmp_path / "killed")
    (killed / "resume.yaml").write_text(RESUME_YAML)
    log = killed / RUN / "logs" / "vae" / "train_z4_b1_seed0.log"
    job = subprocess.Popen(
        command(),
        cwd=killed,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 300
    while time.time() < deadline and not (log.exists() and "epoch 3 done" in log.read_text()):
        time.sleep(0.05)
    os.killpg(job.pid, signal.SIGKILL)  # as a crash or a cluster time limit would
    job.wait()
    assert "epoch 25 done" not in log.read_text(), "the job finished before it was killed"
    assert (killed / RUN / "vae" / "z4_b1" / "seed0" / "resume.pt").exists()

    # A killed Snakemake leaves its lock behind; users run --unlock first, as here.
    subprocess.run(command("--unlock"), cwd=killed, check=True, capture_output=True)
    rerun = subprocess.run(
        command("--rerun-incomplete"), cwd=killed, capture_output=True, text=True, timeout=600
    )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "resuming from" in log.read_text()
    assert not (killed / RUN / "vae" / "z4_b1" / "seed0" / "resume.pt").exists()
    assert not [p for p in (killed / RUN).rglob("*.tmp")], "a temp file was left behind"
    a, b = weights(straight / TARGET), weights(killed / TARGET)
    assert all(torch.equal(a[name], b[name]) for name in a)
