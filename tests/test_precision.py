"""precision: auto is decided by timing, once per machine, never by CPU flags."""

import json

import torch

from facevae import precision
from facevae.runtime import start_job

CPU = torch.device("cpu")


def fake_probe(fp32, bf16, calls, **extra):
    def probe(device):
        calls.append(device)
        return {"fp32": fp32, "bf16": bf16} | extra

    return probe


def test_bf16_only_when_faster_by_the_margin(tmp_path):
    calls = []
    faster = precision.choose(CPU, None, fake_probe(100.0, 200.0, calls))
    assert faster["choice"] == "bf16" and faster["ratio"] == 2.0
    slower = precision.choose(CPU, None, fake_probe(100.0, 55.0, calls))
    assert slower["choice"] == "fp32"
    close = precision.choose(CPU, None, fake_probe(100.0, 110.0, calls))  # within the margin
    assert close["choice"] == "fp32"
    assert len(calls) == 3  # no cache: every call measures


def test_one_probe_per_machine(tmp_path):
    cache, calls = tmp_path / "precision.json", []
    first = precision.choose(CPU, cache, fake_probe(100.0, 200.0, calls))
    again = precision.choose(CPU, cache, fake_probe(100.0, 50.0, calls))
    assert len(calls) == 1 and not first["cached"] and again["cached"]
    assert again["choice"] == "bf16"  # the stored measurement, not a second probe
    stored = json.loads(cache.read_text())
    assert list(stored) == [precision.machine_key(CPU)]
    assert "torch " + torch.__version__ in precision.machine_key(CPU)
    # Another machine (another key) measures for itself and keeps the first entry.
    cache.write_text(json.dumps({"some other CPU | cpu | torch 0 | 2 threads": {"choice": "fp32"}}))
    precision.choose(CPU, cache, fake_probe(100.0, 200.0, calls))
    assert len(calls) == 2 and len(json.loads(cache.read_text())) == 2


def test_a_damaged_cache_is_measured_again(tmp_path):
    cache, calls = tmp_path / "precision.json", []
    cache.write_text("{not json")
    assert precision.choose(CPU, cache, fake_probe(100.0, 300.0, calls))["choice"] == "bf16"
    assert len(calls) == 1 and precision.machine_key(CPU) in json.loads(cache.read_text())


def test_a_probe_beside_other_work_is_not_kept(tmp_path):
    cache, calls = tmp_path / "precision.json", []
    crowded = precision.choose(CPU, cache, fake_probe(100.0, 90.0, calls, cpu_share=0.5))
    assert crowded["choice"] == "fp32" and not cache.exists()  # used once, not stored
    fair = precision.choose(CPU, cache, fake_probe(100.0, 200.0, calls, cpu_share=0.95))
    assert fair["choice"] == "bf16" and len(calls) == 2  # the next job measured again
    assert precision.choose(CPU, cache, fake_probe(1.0, 1.0, calls))["cached"]


def test_the_real_probe_times_both_precisions():
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        rates = precision.probe_rates(CPU, seconds=0.05, rounds=1)
    finally:
        torch.set_num_threads(threads)
    assert set(rates) == {"fp32", "bf16", "cpu_share"} and all(v > 0 for v in rates.values())
    assert rates["cpu_share"] <= 1.5  # CPU time over wall time, per thread


def test_the_probe_leaves_the_jobs_seed_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the cache goes to this folder's .snakemake/
    threads = torch.get_num_threads()
    try:

        def probe(device):
            torch.rand(100)  # a real probe draws random numbers (weights, faces)
            return {"fp32": 1.0, "bf16": 3.0}

        monkeypatch.setattr(precision, "probe_rates", probe)
        job = start_job(threads=1, seed=7, device="cpu", precision="auto")
        after_probe = torch.rand(3)
        start_job(threads=1, seed=7, device="cpu", precision="fp32")
        assert torch.equal(after_probe, torch.rand(3))
    finally:
        torch.set_num_threads(threads)
    assert job.precision == "bf16"
    assert job.describe()["probe_bf16_images_per_s"] == 3.0
    assert (tmp_path / ".snakemake" / "facevae" / "precision.json").is_file()
