"""Hostile or careless inputs, class by class: each is refused with a message that names the
file, the row or the setting, as early as it can be found, and leaves no output behind.

The classes are those of docs/usage.md's "Security and failure behaviour": data that parses
but cannot be used, files that are not what they seem, settings that only fail late,
injection into the reports or the shell, and the tools beside the workflow.
"""

import gzip

import numpy as np
import pytest
from conftest import table_text
from test_config_checks import dry_run_with
from test_workflow import copy_workflow, snakemake

from facevae import data
from facevae.data import DataError, check_class_counts, check_every_class_in_every_part, load_faces

workflow = pytest.mark.workflow


# --- tables that parse but cannot be used --------------------------------------------------


def faces_with(gender, ethnicity):
    return {"gender": np.asarray(gender), "ethnicity": np.asarray(ethnicity)}


@pytest.mark.parametrize(
    "gender, ethnicity, named",
    [
        ([0, 1] * 10, [0, 1, 2, 3] * 5, "ethnicity 4 (Other): 0"),  # a class with no faces
        ([0] * 19 + [1], [0, 1, 2, 3, 4] * 4, "gender 1 (female): 1"),  # too few for 3 parts
        ([0, 1] * 10, [0] * 18 + [2, 2], "1 (Black): 0; 2 (East Asian): 2"),  # several at once
    ],
)
def test_a_class_too_small_for_the_split_is_refused_at_ingest(tmp_path, gender, ethnicity, named):
    with pytest.raises(DataError, match="too few faces") as error:
        check_class_counts(tmp_path / "t.csv", faces_with(gender, ethnicity))
    assert named in str(error.value) and str(tmp_path / "t.csv") in str(error.value)


def test_a_split_part_without_a_class_is_named_with_its_counts():
    faces = faces_with([0, 1] * 6, [0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2])  # 12 faces
    parts = {"train": np.arange(8), "val": np.array([8, 9]), "test": np.array([10, 11])}
    with pytest.raises(DataError) as error:
        check_every_class_in_every_part(faces, parts)
    message = str(error.value)
    assert "ethnicity 0 (White): train 4, val 0, test 0" in message
    assert "ethnicity 3 (South Asian)" in message  # absent everywhere


@pytest.mark.parametrize("header", [" age,age", "gender ,gender"])
def test_a_column_named_twice_once_spaces_are_stripped_is_named(write_table, header):
    text = table_text(3)
    first, rest = text.split("\n", 1)
    path = write_table(f"{first},{header.split(',')[0]}\n" + rest.replace("\n", ",1\n"))
    name = header.split(",")[1]
    with pytest.raises(DataError, match=rf"line 1: the header names \['{name}'\] more than once"):
        load_faces(path)


@pytest.mark.parametrize("compress", [True, False])
def test_a_table_that_inflates_past_the_cap_is_refused_with_the_limit(tmp_path, compress):
    """A small .gz of a huge text (a gzip bomb), and a plain file over the cap."""
    text = table_text(3) + "9" * (3 * 2**20)  # a last line of 3 MB
    path = tmp_path / ("bomb.csv.gz" if compress else "big.csv")
    path.write_bytes(gzip.compress(text.encode()) if compress else text.encode())
    with pytest.raises(DataError) as error:
        load_faces(path, max_mb=1)
    message = str(error.value)
    assert message.startswith(f"{path}: holds more than 1 MB of text once decompressed")
    assert "--config max_table_mb=2" in message
    assert data.MAX_TABLE_MB * 2**20 > 200 * 2**20  # the default leaves the real table room


@workflow
@pytest.mark.parametrize(
    "table, message",
    [
        (table_text(5), "too few faces of gender"),  # 5 rows: 3 of one gender, 2 of the other
        ("age ,age,ethnicity,gender,img_name,pixels\n", "the header names ['age'] more than once"),
    ],
)
def test_ingest_refuses_it_and_leaves_no_data_behind(tmp_path, table, message):
    workdir = copy_workflow(tmp_path)
    (workdir / "t.csv").write_text(table)
    result = snakemake(workdir, "--config", "raw_csv=t.csv", "--until", "ingest")
    assert result.returncode != 0 and message in result.stdout + result.stderr
    run = workdir / "results" / "paper-t"
    assert not (run / "data" / "faces.npz").exists() and not list(run.rglob("*.tmp*"))


# --- settings that would only fail after training ------------------------------------------


@workflow
@pytest.mark.parametrize(
    "settings, message",
    [
        ("image_metrics:\n  ssim_window: 8\n", "image_metrics.ssim_window: 8 is even"),
        ("image_metrics:\n  ssim_window: 46\n", "must be odd (e.g. 47)"),
        ("restore:\n  erase_position: [40, 0]\n", "a 16x16 block (restore.erase_size) with"),
        ("restore:\n  erase_size: [8, 30]\n  erase_position: [0, 20]\n", "to row 8, column 50"),
        (
            "split:\n  fractions: [0.7, 0.2, 0.2]\n",
            "split.fractions: [0.7, 0.2, 0.2] add up to 1.1",
        ),
        ("split:\n  fractions: [0.5, 0.2, 0.1]\n", "add up to 0.8"),
    ],
)
def test_a_setting_that_would_fail_after_training_stops_the_dry_run(tmp_path, settings, message):
    result, output = dry_run_with(tmp_path, settings)  # also: took seconds, no results/
    assert result.returncode != 0 and message in output


# --- files that are not what they seem -----------------------------------------------------


@workflow
@pytest.mark.parametrize(
    "name, shown",
    [
        ("faces{x}.csv", "'{' '}'"),  # Snakemake's wildcards
        ("</script><b>.csv", "'<' '>'"),  # markup for the HTML report (a folder, a file)
        ("a`b'.csv", "\"'\" '`'"),
    ],
)
def test_a_table_path_that_would_be_read_as_code_is_refused_before_any_job(tmp_path, name, shown):
    workdir = copy_workflow(tmp_path / "workflow")
    path = workdir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(table_text(6))
    result = snakemake(workdir, "--dry-run", "--config", f"raw_csv={name}")
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "raw_csv: the path" in output and shown in output
    assert "WildcardError" not in output and not (workdir / "results").exists()


def test_a_long_table_name_gets_a_short_folder_and_two_stay_apart():
    from facevae.runs import LABEL_LENGTH, run_name

    long_a, long_b = "x" * 300 + "_a.csv", "x" * 300 + "_b.csv"
    assert len(run_name("cpu", long_a)) <= len("cpu-") + LABEL_LENGTH
    assert run_name("cpu", long_a) != run_name("cpu", long_b)
    assert run_name("cpu", "data/age_gender.csv.gz") == "cpu-age_gender"  # short: unchanged


def test_a_table_of_the_same_name_from_another_folder_is_refused(tmp_path):
    """results/<run>-<table>/ is named after the file name: a second file of that name must
    not reuse it. The first table's path is what its ingest recorded."""
    from facevae.runs import check_same_table

    first, second = tmp_path / "a" / "age_gender.csv", tmp_path / "b" / "age_gender.csv"
    for path in (first, second):
        path.parent.mkdir()
        path.write_text("x")
    run_dir = tmp_path / "results" / "cpu-age_gender"
    check_same_table(run_dir, str(second))  # nothing ingested yet: fine
    (run_dir / "data").mkdir(parents=True)
    (run_dir / "data" / "quality.json").write_text(f'{{"path": "{first.resolve()}"}}')
    check_same_table(run_dir, str(first))  # the same table again: fine
    with pytest.raises(ValueError) as error:
        check_same_table(run_dir, str(second))
    message = str(error.value)
    assert str(second.resolve()) in message and str(first.resolve()) in message
    assert "--config run=NAME" in message
    (run_dir / "data" / "quality.json").write_text("{not json")  # damaged: ingest rebuilds it
    check_same_table(run_dir, str(second))


# --- injection into the shell --------------------------------------------------------------


@pytest.mark.parametrize(
    "variable, value",
    [
        ("SETTINGS", "configs/cpu.yaml;touch {marker}"),
        ("SETTINGS", "$(touch {marker})"),
        ("RAW_CSV", "t.csv`touch {marker}`"),
        ("SNAKEMAKE_ARGS", "--dry-run;touch {marker}"),
        ("SNAKEMAKE_ARGS", "--dry-run $(touch {marker})"),
    ],
)
def test_make_hands_a_variable_to_snakemake_as_text_never_as_a_command(tmp_path, variable, value):
    """The command `make report` runs, with snakemake replaced by echo: the value arrives as
    argument text and the shell runs nothing in it."""
    import os
    import subprocess

    from conftest import REPO

    marker = tmp_path / "ran"
    given = {"RAW_CSV": "t.csv", "SETTINGS": "configs/cpu.yaml", "SNAKEMAKE_ARGS": "-n"}
    given[variable] = value.format(marker=marker)
    shown = subprocess.run(
        ["make", "-s", "-n", "-C", str(REPO), "report", "SNAKEMAKE=echo", "VENV=.venv"]
        + [f"{k}={v}" for k, v in given.items()],
        capture_output=True,
        text=True,
        env=os.environ | {"MAKEFLAGS": ""},
    )
    command = shown.stdout.strip().splitlines()[-1]
    assert command.startswith("echo --cores all") and value.split("{")[0] not in command
    ran = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=os.environ | given
    )
    assert ran.returncode == 0 and not marker.exists()
    if "$(" not in value:  # make itself reads $(...) as one of its own (empty) variables
        assert given[variable] in ran.stdout  # passed on, as text


@pytest.mark.parametrize("variable, value", [("VENV", "/tmp/v;rm -rf x"), ("PYTHON", "py|cat")])
def test_make_refuses_a_command_path_with_shell_characters(variable, value):
    import subprocess

    from conftest import REPO

    shown = subprocess.run(
        ["make", "-n", "-C", str(REPO), "report", f"{variable}={value}"],
        capture_output=True,
        text=True,
    )
    assert shown.returncode != 0
    assert f"{variable}={value} holds the shell character" in shown.stderr


# --- intermediate files that are not what they seem ------------------------------------------


def _cut(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.mark.parametrize("keep", [0.5, 0.0])
def test_a_truncated_intermediate_names_itself_and_how_to_rebuild_it(tmp_path, keep):
    import torch

    from facevae.files import (
        DamagedFile,
        load_npz,
        load_torch,
        read_json,
        save_npz,
        save_torch,
        write_json,
    )

    arrays, state, summary = tmp_path / "faces.npz", tmp_path / "model.pt", tmp_path / "s.json"
    save_npz(arrays, images=np.zeros((50, 48, 48), np.uint8))
    save_torch(state, {"w": torch.zeros(1000)})
    write_json(summary, {"a": list(range(100))})
    for path, load in ((arrays, load_npz), (state, load_torch), (summary, read_json)):
        _cut(path, keep)
        with pytest.raises(DamagedFile) as error:
            load(path)
        message = str(error.value)
        assert message.startswith(f"{path} cannot be read") and "Delete it" in message


@pytest.mark.parametrize("mangle", ["shape", "type", "optimizer"])
def test_a_resume_state_that_loads_but_does_not_fit_is_discarded(tmp_path, caplog, mangle):
    """A resume.pt with the right settings but the wrong contents: training starts fresh,
    says why, and ends as an uninterrupted run from scratch would."""
    import torch
    from test_vae import TINY, _faces

    from facevae.files import load_torch, save_torch
    from facevae.vae import build_vae
    from facevae.vae_train import VAETrainConfig, train_vae

    x, x_val = _faces(32), _faces(16, seed=1)
    cfg = VAETrainConfig(epochs=2, beta=1.0, batch_size=16, lr=1e-3, seed=4)
    torch.manual_seed(0)
    straight = build_vae(latent=3, **TINY)
    train_vae(straight, x, x_val, cfg)
    resume = tmp_path / "resume.pt"
    torch.manual_seed(0)
    train_vae(build_vae(latent=3, **TINY), x, x_val, cfg, resume_path=resume)
    state = load_torch(resume)
    if mangle == "shape":
        first = next(iter(state["model"]))
        state["model"][first] = torch.zeros(7)
    elif mangle == "type":
        state["epoch"], state["history"] = "2", [1, 2]
    else:
        state["optimizer"] = {"state": {}, "param_groups": "none"}
    save_torch(resume, state)
    torch.manual_seed(0)
    again = build_vae(latent=3, **TINY)
    history = train_vae(again, x, x_val, cfg, resume_path=resume)
    assert len(history["val_recon"]) == 2
    assert "starting fresh" in caplog.text and str(resume) in caplog.text
    for name, value in straight.state_dict().items():
        assert torch.equal(value, again.state_dict()[name]), name


# --- the precision cache ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "stored",
    [
        '["a", "list"]',  # the file, not a mapping
        '{"KEY": "bf16"}',  # an entry that is not a measurement
        '{"KEY": {"choice": "fp16", "fp32": 1, "bf16": 2}}',  # an unknown choice
        '{"KEY": {"fp32": 1, "bf16": 2}}',  # no choice at all
    ],
)
def test_a_precision_cache_of_the_wrong_shape_is_measured_again(tmp_path, caplog, stored):
    import json

    import torch

    from facevae import precision

    cpu = torch.device("cpu")
    cache = tmp_path / "precision.json"
    cache.write_text(stored.replace("KEY", precision.machine_key(cpu)))
    found = precision.choose(cpu, cache, lambda device: {"fp32": 100.0, "bf16": 300.0})
    assert found["choice"] == "bf16" and not found["cached"]
    assert json.loads(cache.read_text())[precision.machine_key(cpu)]["choice"] == "bf16"
    if stored.startswith("{"):
        assert "measuring again" in caplog.text


@pytest.mark.parametrize("where", ["read-only", "under a file"])
def test_a_precision_cache_that_cannot_be_written_is_said_and_skipped(tmp_path, caplog, where):
    """The folder cannot take the file (read-only; or the path runs through a file, which
    fails for root as well): the job keeps its choice and says it was not stored."""
    import os

    import torch

    from facevae import precision

    folder = tmp_path / "cache"
    if where == "read-only":
        folder.mkdir(mode=0o500)
        if os.access(folder, os.W_OK):
            pytest.skip("root writes into a read-only folder; the other case covers this")
    else:
        folder.write_text("a file, not a folder")
    found = precision.choose(
        torch.device("cpu"), folder / "p.json", lambda d: {"fp32": 100.0, "bf16": 50.0}
    )
    assert found["choice"] == "fp32" and "cannot store the precision choice" in caplog.text


# --- tools beside the workflow ----------------------------------------------------------------


@pytest.mark.parametrize(
    "content, reason",
    [
        ("{cut short", "cannot be read"),
        ('["not", "a", "job"]', "no name"),
        ('{"name": "x", "epochs": "ten", "updated": "yesterday"}', "not a number: epochs, updated"),
        ('{"name": 7}', "no name"),
    ],
)
def test_status_skips_a_malformed_progress_file_and_names_it(tmp_path, content, reason):
    import time

    from test_progress import FakeClock, _job

    from facevae import status

    results, clock = tmp_path / "results", FakeClock(time.time())
    _job(results, "cpu-age_gender", "good", clock)
    bad = results / "cpu-age_gender" / "logs" / "vae" / "bad.progress.json"
    bad.write_text(content)
    text = status.report(results, now=clock.t)
    assert "good" in text and "1 training job running" in text
    assert f"skipped 1 unreadable status file(s):\n  {bad}: " in text and reason in text


@workflow
@pytest.mark.parametrize("rule, folder", [("train_cnn", "cnn/gender/seed0")])
def test_a_trainer_left_running_in_a_folder_stops_the_next_attempt(tmp_path, rule, folder):
    """An orphan trainer (its Snakemake was killed) still holds its model folder: the next
    attempt's trainer stops at once, naming the lock and the process, and writes nothing.
    (The VAE trainer's lock: tests/test_vae.py.)"""
    import os
    import subprocess
    import sys

    workdir = copy_workflow(tmp_path)
    run = workdir / "results" / "orphan-synthetic"
    lock = run / folder / ".train.lock"
    lock.parent.mkdir(parents=True)
    hold = "import sys, time\nfrom facevae.files import exclusive\nwith exclusive(sys.argv[1]):\n"
    hold += "    print('held', flush=True)\n    time.sleep(3600)\n"  # killed below
    env = os.environ | {"PYTHONPATH": str(workdir / "src")}
    orphan = subprocess.Popen(
        [sys.executable, "-c", hold, str(lock)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert orphan.stdout.readline().strip() == "held"
        target = f"results/orphan-synthetic/{folder}/model.pt"
        result = snakemake(
            workdir, target, "--configfile", "tests/smoke.yaml", "--config", "run=orphan"
        )
    finally:
        orphan.kill()
        orphan.wait()
    output = result.stdout + result.stderr
    assert result.returncode != 0
    relative = f"results/orphan-synthetic/{folder}/.train.lock"  # as the job names it
    assert f"{relative} is held by another running job (process" in output
    assert str(orphan.pid) in output
    assert not (run / folder / "model.pt").exists()


# --- injection into the reports ---------------------------------------------------------------

HOSTILE = [
    "</script><script>alert(1)</script>",
    "{{ 7 * 7 }}{% for x in y %}",
    "a & b <i>c</i> `d` *e* _f_ \\g",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_from_the_user_reaches_the_html_report_as_text(text):
    """Captions, tables and the numbers page of `snakemake --report`, with a hostile data
    source in the summary: no tag survives, no template runs."""
    import jinja2
    from docutils.core import publish_parts

    from facevae.htmlreport import caption_rst, metrics_html, table_html
    from facevae.latex import latex_table, macro_text

    summary = {"data.source": text, "data.rows": 3}
    caption = caption_rst(r"Faces of \val{data.source}, \val{data.rows} rows.", summary)
    page = publish_parts(jinja2.Template(caption).render(), writer="html")["html_body"]
    table = table_html(latex_table(["source"], [[macro_text("data.source", text)]], "l"), summary)
    numbers = metrics_html(summary)
    for html in (page, table, numbers):
        assert "<script>" not in html and "<i>" not in html and "49" not in html
