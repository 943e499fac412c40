"""Two runs side by side: differing settings, metrics with intervals, missing runs."""

import json

import pytest

from facevae.compare import main

RUN_A = {
    "config.vae.epochs": 2,
    "config.cnn.seeds": [0, 1],
    "config.split.seed": 7,
    "config.vae.latents": [4, 256],
    "provenance.commit": "aaaa111",
    "provenance.python": "3.12.3",
    "data.rows": 200,
    "data.file": "synthetic.csv.gz",
    "data.synthetic": True,
    "cnn.gender.test_accuracy": 0.75,
    "cnn.gender.test_accuracy_ci95_low": 0.70,
    "cnn.gender.test_accuracy_ci95_high": 0.80,
    "cnn.gender.test_accuracy_seed_sd": 0.01,
    "vae.z4_b1.test_psnr": 12.6,
    "vae.z4_b1.test_psnr_ci95_low": 12.0,
    "vae.z4_b1.test_psnr_ci95_high": 13.4,
    "restore.erase.vae.mse": 0.0000152,
    "vae.only_in_a": 3.5,
}
RUN_B = {
    "config.vae.epochs": 30,
    "config.cnn.seeds": [0, 1, 2],
    "config.split.seed": 7,
    "config.vae.latents": [4, 256],
    "config.vae.grid_size": 2,
    "provenance.commit": "bbbb222",
    "provenance.python": "3.12.3",
    "data.rows": 23705,
    "data.file": "age_gender.csv.gz",
    "data.synthetic": False,
    "cnn.gender.test_accuracy": 0.892,
    "cnn.gender.test_accuracy_ci95_low": 0.881,
    "cnn.gender.test_accuracy_ci95_high": 0.903,
    "cnn.gender.test_accuracy_seed_sd": 0.004,
    "vae.z4_b1.test_psnr": 13.1,
    "vae.z4_b1.test_psnr_ci95_low": 12.5,
    "vae.z4_b1.test_psnr_ci95_high": 13.8,
    "restore.erase.vae.mse": 0.0000101,
}


@pytest.fixture
def results(tmp_path):
    """runs/demo-synthetic (A) and runs/cpu-age_gender (B), plus a run without summary.json."""
    runs = tmp_path / "runs"
    for name, summary in {"demo-synthetic": RUN_A, "cpu-age_gender": RUN_B}.items():
        (runs / name).mkdir(parents=True)
        (runs / name / "summary.json").write_text(json.dumps(summary))
    (runs / "half-done").mkdir()
    return runs


def run(capsys, results, *args) -> str:
    main(["demo-synthetic", "cpu-age_gender", "--results", str(results), *args])
    return capsys.readouterr().out


def section(text: str, title: str) -> str:
    """The lines of one section of the text report, up to the next blank line."""
    return text.split(title, 1)[1].split("\n\n", 1)[0]


def row(text: str, key: str) -> str:
    (line,) = [line for line in text.splitlines() if line.split()[:1] == [key]]
    return line


def test_settings_that_differ_are_listed_and_equal_ones_are_not(capsys, results):
    text = run(capsys, results)
    settings = section(text, "Settings that differ")
    assert row(settings, "config.vae.epochs").split() == ["config.vae.epochs", "2", "30"]
    assert "0, 1, 2" in row(settings, "config.cnn.seeds")
    assert row(settings, "config.vae.grid_size").split() == ["config.vae.grid_size", "—", "2"]
    assert "config.split.seed" not in settings and "config.vae.latents" not in settings
    provenance = section(text, "Provenance that differs")
    assert "provenance.commit" in provenance and "provenance.python" not in provenance
    assert text.splitlines()[0] == f"Run A: demo-synthetic  ({results / 'demo-synthetic'})"
    assert text.rstrip().splitlines()[-1] == (
        "3 settings differ; 5 of 5 metrics differ as printed, 1 flagged"
    )


def test_metrics_flagged_only_when_intervals_do_not_overlap(capsys, results):
    metrics = section(run(capsys, results), "Metrics")
    accuracy = row(metrics, "cnn.gender.test_accuracy")
    assert "0.75 [0.7, 0.8]" in accuracy and "0.892 [0.881, 0.903]" in accuracy
    assert accuracy.split()[-2:] == ["+0.142", "*"]
    psnr = row(metrics, "vae.z4_b1.test_psnr")  # 12.6 [12, 13.4] and 13.1 [12.5, 13.8] overlap
    assert psnr.split()[-1] == "+0.5" and "*" not in psnr
    rows = row(metrics, "data.rows")  # no intervals: never flagged
    assert rows.split() == ["data.rows", "200", "23,705", "+23,505"]
    assert row(metrics, "restore.erase.vae.mse").split() == [
        "restore.erase.vae.mse",
        "1.52e-5",
        "1.01e-5",
        "-5.1e-6",
    ]


def test_metric_in_one_run_only_shows_missing_marker(capsys, results):
    metrics = section(run(capsys, results), "Metrics")
    assert row(metrics, "vae.only_in_a").split() == ["vae.only_in_a", "3.5", "—", "—"]


def test_siblings_booleans_and_strings_are_not_metrics(capsys, results):
    text = run(capsys, results)
    metrics = section(text, "Metrics")
    for suffix in ("_ci95_low", "_ci95_high", "_seed_sd"):
        assert suffix not in metrics
    assert "data.synthetic" not in metrics and "data.file" not in metrics
    other = section(text, "Other values that differ")
    assert row(other, "data.file").split() == ["data.file", "synthetic.csv.gz", "age_gender.csv.gz"]
    assert row(other, "data.synthetic").split() == ["data.synthetic", "true", "false"]


def test_json_output(capsys, results):
    out = json.loads(run(capsys, results, "--json"))
    assert out["runs"] == {"a": "demo-synthetic", "b": "cpu-age_gender"}
    assert {s["key"]: (s["a"], s["b"]) for s in out["settings"]} == {
        "config.cnn.seeds": ([0, 1], [0, 1, 2]),
        "config.vae.epochs": (2, 30),
        "config.vae.grid_size": (None, 2),
    }
    assert out["provenance"] == [{"key": "provenance.commit", "a": "aaaa111", "b": "bbbb222"}]
    metrics = {m["key"]: m for m in out["metrics"]}
    assert sorted(metrics) == [
        "cnn.gender.test_accuracy",
        "data.rows",
        "restore.erase.vae.mse",
        "vae.only_in_a",
        "vae.z4_b1.test_psnr",
    ]
    assert metrics["cnn.gender.test_accuracy"] == {
        "key": "cnn.gender.test_accuracy",
        "a": 0.75,
        "b": 0.892,
        "difference": pytest.approx(0.142),
        "a_interval": [0.70, 0.80],
        "b_interval": [0.881, 0.903],
        "beyond_intervals": True,
    }
    assert metrics["vae.z4_b1.test_psnr"]["beyond_intervals"] is False
    assert metrics["data.rows"]["difference"] == 23505
    assert metrics["data.rows"]["beyond_intervals"] is None
    assert metrics["vae.only_in_a"]["b"] is None and metrics["vae.only_in_a"]["difference"] is None


@pytest.mark.parametrize("missing", ["no-such-run", "half-done"])
def test_missing_run_exits_2_naming_file_and_available_runs(capsys, results, missing):
    with pytest.raises(SystemExit) as stop:
        main(["demo-synthetic", missing, "--results", str(results)])
    assert stop.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert str(results / missing / "summary.json") in line
    assert line.endswith(": cpu-age_gender, demo-synthetic")


def test_run_given_by_path_or_by_name(capsys, results, tmp_path, monkeypatch):
    by_name = json.loads(run(capsys, results, "--json"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "elsewhere").mkdir()  # --results holds no run: the paths must be used as given
    main(["runs/demo-synthetic", "runs/cpu-age_gender", "--json", "--results", "elsewhere"])
    assert json.loads(capsys.readouterr().out) == by_name
    results.rename("results")  # the default --results is ./results
    main(["demo-synthetic", "cpu-age_gender", "--json"])
    assert json.loads(capsys.readouterr().out) == by_name


def test_metrics_are_grouped_by_the_reports_sections(capsys, results):
    metrics = section(run(capsys, results), "Metrics that differ")
    titles = [
        line.strip() for line in metrics.splitlines() if line.startswith(" ") and line[1] != " "
    ]
    assert titles == [
        "1. The data",
        "2. Three supervised networks",
        "3. Convolutional beta-VAEs",
        "4. Restoring and interpolating faces",
    ]


def test_the_default_fits_a_screen_or_two_and_all_lists_everything(capsys, tmp_path):
    """Two runs of a full size (hundreds of settings and thousands of metrics, every one
    differing): the default shows headlines and counts, --all every key."""
    runs = tmp_path / "runs"
    for name, shift in (("a", 0.0), ("b", 1.0)):
        summary = {f"config.vae.grid.{i}.beta": i + shift for i in range(300)}
        summary |= {f"provenance.training.jobs.vae.z{i}.seconds": i + shift for i in range(200)}
        summary["provenance.commit"] = name
        for prefix in ("data", "cnn.gender", "vae.z4_b1", "restore.noise", "beyond.recipe"):
            summary |= {f"{prefix}.score_{i}": i + shift for i in range(800)}
            summary[f"{prefix}.test_psnr"] = 20 + shift
        summary |= {f"text.sentence_{i}": f"{name} {i}" for i in range(400)}
        (runs / name).mkdir(parents=True)
        (runs / name / "summary.json").write_text(json.dumps(summary))
    main(["a", "b", "--results", str(runs)])
    text = capsys.readouterr().out
    assert len(text.splitlines()) <= 80
    assert "  … and 288 more (--all lists them)" in text  # settings
    assert "provenance.training.jobs" not in text
    assert "text.sentence" not in text
    metrics = section(text, "Metrics that differ")
    assert row(metrics, "vae.z4_b1.test_psnr").split()[1:] == ["20", "21", "+1"]  # first
    assert text.rstrip().endswith("4,005 of 4,005 metrics differ as printed, 0 flagged")
    main(["a", "b", "--results", str(runs), "--all"])
    everything = capsys.readouterr().out
    assert "config.vae.grid.299.beta" in everything and "text.sentence_399" in everything
    assert len(everything.splitlines()) > 4000


def test_with_no_run_named_it_prints_usage_and_the_runs_it_sees(capsys, results):
    with pytest.raises(SystemExit) as stop:
        main(["--results", str(results)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage:")
    assert err.rstrip().splitlines()[-2:] == ["  cpu-age_gender", "  demo-synthetic"]
    with pytest.raises(SystemExit):
        main(["", "", "--results", str(results)])  # what `make compare` passes without A, B


@pytest.mark.parametrize("text", ['{"cnn.x": 0.5,', "[1, 2]", "\udcff"])
def test_a_corrupt_summary_is_named_without_a_traceback(capsys, results, text):
    (results / "cpu-age_gender" / "summary.json").write_text(text, errors="surrogateescape")
    with pytest.raises(SystemExit) as stop:
        main(["demo-synthetic", "cpu-age_gender", "--results", str(results)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert str(results / "cpu-age_gender" / "summary.json") in err
    assert "Traceback" not in err


def test_json_is_strict_when_a_run_holds_a_bare_nan(capsys, results):
    """Summaries written before strict JSON may hold NaN; the JSON printed never does."""
    (results / "cpu-age_gender" / "summary.json").write_text('{"cnn.x_seed_sd": NaN, "cnn.y": NaN}')
    text = run(capsys, results, "--json")
    assert "NaN" not in text
    json.loads(text, parse_constant=lambda c: pytest.fail(f"bare {c}"))
