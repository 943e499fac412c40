"""The per-stage time table read from a Snakemake log (facevae.stages)."""

from datetime import datetime

import pytest

from facevae.stages import main, markdown, parse_log, rule_stages, stage_table

LOG = """\
Building DAG of jobs...
Job stats:
job         count
train_vae       2
[Fri Dec  4 19:49:13 2026]
localrule ingest:
    input: data.csv.gz
    output: faces.npz
    jobid: 1
    reason: Missing output files: faces.npz
[Fri Dec  4 19:49:15 2026]
Finished jobid: 1 (Rule: ingest)
1 of 4 steps (25%) done
[Fri Dec  4 19:50:00 2026]
rule train_vae:
    output: z256/seed0/model.pt
    jobid: 7
    wildcards: vae=z256, seed=0
[Fri Dec  4 19:50:10 2026]
localrule fig_age:
    jobid: 3
[Fri Dec  4 19:51:10 2026]
Finished jobid: 3 (Rule: fig_age)
[Fri Dec  4 19:55:00 2026]
Finished jobid: 7 (Rule: train_vae)
[Fri Dec  4 19:55:00 2026]
rule train_vae:
    jobid: 8
[Fri Dec  4 19:56:00 2026]
Error in rule train_vae:
    jobid: 8
"""


def test_jobs_are_read_with_their_start_and_end():
    jobs = {job["jobid"]: job for job in parse_log(LOG)}
    assert sorted(jobs) == [1, 3, 7, 8]
    assert jobs[7]["rule"] == "train_vae"
    assert jobs[7]["start"] == datetime(2026, 12, 4, 19, 50, 0)
    assert jobs[7]["end"] == datetime(2026, 12, 4, 19, 55, 0)
    assert jobs[8]["end"] is None  # failed: its error block does not finish it


def test_rules_take_the_stage_of_their_file(tmp_path):
    (tmp_path / "vae.smk").write_text("rule train_vae:\n    input: x\n\nrule fig_vae:\n")
    (tmp_path / "beyond.smk").write_text(
        "use rule train_vae as train_recipe with:\n    input: y\n# rule in a comment:\n"
    )
    assert rule_stages(tmp_path) == {
        "train_vae": "vae",
        "fig_vae": "vae",
        "train_recipe": "beyond",
    }


def test_stages_sum_their_jobs_and_the_wall_time_counts_overlap_once():
    stages = {"ingest": "data", "train_vae": "vae", "fig_age": "figures"}
    table = stage_table(parse_log(LOG), stages)
    assert table["stages"]["vae"] == {
        "minutes": 5.0,
        "jobs": 1,
        "rules": {"train_vae": {"jobs": 1, "minutes": 5.0}},
    }
    assert list(table["stages"]) == ["data", "vae", "figures"]  # in order of start
    assert table["job_minutes"] == pytest.approx(2 / 60 + 5 + 1)
    assert table["wall_minutes"] == pytest.approx(5 + 47 / 60)  # 19:49:13 to 19:55:00
    assert table["unfinished"] == ["train_vae"]
    text = markdown(table)
    assert "| | train_vae | 1 | 5.0 |" in text and "Wall time 6 min" in text
    assert table["busy_minutes"] == pytest.approx(5 + 2 / 60)  # idle 19:49:15 to 19:50:00
    assert "0.8 min of it with no job running" in text
    assert "1.0 of them beside another job" in text
    assert "failed or interrupted): train_vae." in text


def test_the_command_reads_a_log_and_prints_json(tmp_path, capsys):
    log, rules = tmp_path / "run.snakemake.log", tmp_path / "rules"
    log.write_text(LOG)
    rules.mkdir()
    (rules / "data.smk").write_text("rule ingest:\n")
    assert main([str(log), "--rules", str(rules), "--json"]) == 0
    printed = capsys.readouterr().out
    assert '"data"' in printed and '"other"' in printed  # rules of no file: "other"


def test_without_a_log_the_command_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match="no Snakemake log under .snakemake/log"):
        main([])
