"""facevae.provenance: what built a run, as the title page prints it."""

import time

import pytest
import torch

from facevae.provenance import training_jobs
from facevae.runtime import Job


def test_training_time_in_all_and_the_wall_time_it_spanned():
    """Two jobs of 60 s and 120 s, the second ending 300 s after the first began: 3 min of
    training over 5 min of wall time, read from the clocks each history recorded."""
    where = {"device": "cpu", "device_name": "Xeon", "precision": "bf16"}
    histories = {
        "cnn.gender.seed0": where | {"job_seconds": 60.0, "job_finished": 1000.0},
        "vae.z4_b1.seed0": where | {"job_seconds": 120.0, "job_finished": 1240.0},
    }
    found = training_jobs(histories)
    assert found["count"] == 2 and found["minutes"] == pytest.approx(3.0)
    assert found["wall_minutes"] == pytest.approx(300 / 60)
    assert found["devices"] == "Xeon (cpu, bf16)"
    assert training_jobs({})["wall_minutes"] == 0.0


def test_a_job_records_its_own_wall_and_cpu_time():
    job = Job(torch.device("cpu"), "fp32", 1, None, time.time() - 2.0, time.process_time())
    sum(i * i for i in range(200_000))  # some CPU work
    timing = job.timing()
    assert timing["job_seconds"] >= 2.0
    assert 0 < timing["job_cpu_seconds"] < timing["job_seconds"]
    assert abs(timing["job_finished"] - time.time()) < 1
