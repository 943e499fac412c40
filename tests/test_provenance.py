"""facevae.provenance: what built a run, as the title page prints it."""

import os

import pytest

from facevae.provenance import training_jobs


def test_training_time_in_all_and_the_wall_time_it_spanned(tmp_path):
    """Two jobs of 60 s and 120 s, the second ending 300 s after the first began: 3 min of
    training over 5 min of wall time (a benchmark file is written as its job ends)."""
    benchmarks = {}
    for name, seconds, end in (("cnn.gender.seed0", 60.0, 1000.0), ("vae.z4.seed0", 120.0, 1240.0)):
        path = tmp_path / f"{name}.tsv"
        path.write_text(f"s\th:m:s\n{seconds}\t0:01:00\n")
        os.utime(path, (end, end))
        benchmarks[name] = path
    histories = {
        name: {"device": "cpu", "device_name": "Xeon", "precision": "bf16"} for name in benchmarks
    }
    found = training_jobs(histories, benchmarks)
    assert found["count"] == 2 and found["minutes"] == pytest.approx(3.0)
    assert found["wall_minutes"] == pytest.approx(300 / 60)
    assert found["devices"] == "Xeon (cpu, bf16)"
    assert training_jobs({}, {})["wall_minutes"] == 0.0
