"""The workflow end to end on a tiny synthetic table, and how it refuses bad input."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, table_text
from pypdf import PdfReader

pytestmark = pytest.mark.workflow
RUN = Path("results/smoke-synthetic")  # where tests/smoke.yaml keeps its outputs
SOURCES = [
    "Snakefile",
    "config.yaml",
    "src",
    "configs",
    "rules",
    "schemas",
    "scripts",
    "envs",
    "profiles",
    "report/report.tex",
    "report/sections",
    "report/workflow.rst",
    "report/summary_caption.rst",
    "tests/smoke.yaml",
]


def copy_workflow(dest: Path) -> Path:
    """A fresh copy of the workflow's sources (no results) to run in isolation."""
    for name in SOURCES:
        src, dst = REPO / name, dest / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy(src, dst)
    return dest


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    # Targets first: options that take several values (--resources) would swallow them.
    command = [sys.executable, "-m", "snakemake", *args, "--cores", "2", "--resources", "gpu=1"]
    env = os.environ | {"PYTHONPATH": str(workdir / "src")}  # the copy's package, not the repo's
    return subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, timeout=900, env=env
    )


def git_commit(workdir: Path) -> str:
    """Make the copy a git checkout with one commit (for the provenance); its hash."""
    git = ["git", "-C", str(workdir), "-c", "user.name=test", "-c", "user.email=test@invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "smoke"], check=True)
    return subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    workdir = copy_workflow(tmp_path_factory.mktemp("smoke"))
    (workdir / "commit.txt").write_text(git_commit(workdir))
    result = snakemake(workdir, "--configfile", "tests/smoke.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir


def test_report_pdf_is_built_from_synthetic_data(smoke_run):
    assert (smoke_run / "report" / "report.pdf").resolve() == (smoke_run / RUN / "report.pdf")
    reader = PdfReader(smoke_run / RUN / "report.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2
    assert "synthetic demo data (400 generated faces)" in text
    assert "400 rows" in text
    assert "Three supervised networks" in text
    assert "Convolutional beta-VAEs" in text
    # Every figure the text includes was built by a rule, and no rule drew one that is unused.
    built = {p.stem for p in (smoke_run / RUN / "figures").glob("*.pdf")}
    tex = "".join(p.read_text() for p in (REPO / "report").rglob("*.tex"))
    assert built == set(re.findall(r"\\includegraphics(?:\[[^]]*\])?\{([^}]+)\}", tex))
    assert all((smoke_run / RUN / "figures" / f"{f}.pdf").stat().st_size > 1000 for f in built)


def test_no_line_or_table_of_the_pdf_runs_into_the_margin(smoke_run):
    log = (smoke_run / RUN / "latex" / "report.log").read_text(errors="replace")
    overfull = [float(pt) for pt in re.findall(r"Overfull \\hbox \((\d+\.?\d*)pt too wide", log)]
    assert [pt for pt in overfull if pt > 1] == []


def test_summary_matches_the_table(smoke_run):
    import json

    summary = json.loads((smoke_run / RUN / "summary.json").read_text())
    assert summary["data.rows"] == 400
    assert (
        summary["data.split.train"] + summary["data.split.val"] + summary["data.split.test"] == 400
    )
    assert summary["data.duplicate_groups"] > 0  # the generator plants duplicates
    assert summary["data.synthetic"] is True
    for task in ("gender", "ethnicity"):
        assert 0 <= summary[f"cnn.{task}.test_accuracy"] <= 1
    assert summary["cnn.age.test_mae"] > 0
    assert summary["cnn.ethnicity.test_faces"] == summary["data.split.test"]
    grid = ("z4_b1", "z4_b0.01", "z256_b1", "z256_b0.01")
    for name in grid:
        assert 0 < summary[f"vae.{name}.test_ssim"] <= 1
        assert summary[f"vae.{name}.test_psnr"] > 5
    best = summary["vae.best.name"]  # chosen on the validation split
    assert summary[f"vae.{best}.val_psnr"] == max(summary[f"vae.{n}.val_psnr"] for n in grid)
    assert summary[f"vae.{best}.test_psnr"] == summary["vae.best.test_psnr"]


def test_finished_workflow_has_nothing_to_do(smoke_run):
    result = snakemake(smoke_run, "--configfile", "tests/smoke.yaml", "--dry-run")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_missing_raw_csv_stops_in_seconds(tmp_path):
    workdir = copy_workflow(tmp_path)
    start = time.perf_counter()
    result = snakemake(workdir, "--config", "raw_csv=nowhere/age_gender.csv")
    assert result.returncode != 0
    assert time.perf_counter() - start < 30
    message = result.stdout + result.stderr
    assert "nowhere/age_gender.csv" in message
    assert "kaggle.com" in message and "make demo" in message
    assert not (workdir / "results").exists()


def test_bad_table_fails_with_line_and_leaves_no_output(tmp_path):
    workdir = copy_workflow(tmp_path)
    bad = table_text(pixels=[" ".join(["9"] * 2304)] * 2 + [" ".join(["9"] * 2000)] * 2)
    (workdir / "bad.csv").write_text(bad)
    result = snakemake(workdir, "--config", "raw_csv=bad.csv", "--until", "ingest")
    assert result.returncode != 0
    assert (
        "bad.csv: line 4, 5: pixels has 2000 values, expected 2304" in result.stdout + result.stderr
    )
    run = workdir / "results" / "paper-bad"  # config.yaml's run name and the table's
    assert (run / "logs" / "data" / "ingest.log").exists()  # the job ran, and failed
    assert not (run / "data" / "faces.npz").exists()
    assert not list(run.rglob("*.tmp*"))


def _jobs_after_edit(smoke_run, tmp_path, relative_path, edit=None) -> dict[str, int]:
    """Job counts of a dry run after editing one file of a finished copy: ``edit(text)``
    gives the new text; by default a comment is appended."""
    workdir = tmp_path / "edited"
    shutil.copytree(smoke_run, workdir, symlinks=True)  # copy2 keeps the mtimes
    path = workdir / relative_path
    text = path.read_text()
    path.write_text(edit(text) if edit else text + "\n# edited by a test\n")
    result = snakemake(workdir, "--dry-run", "--quiet", "rules", "--configfile", "tests/smoke.yaml")
    assert result.returncode == 0, result.stderr[-2000:]
    return _job_counts(result.stdout + result.stderr)


def _job_counts(output: str) -> dict[str, int]:
    """{rule: jobs} from the "Job stats" table of a dry run."""
    counts = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            counts[parts[0]] = int(parts[1])
    return counts


def test_editing_a_figure_script_reruns_only_that_figure(smoke_run, tmp_path):
    jobs = _jobs_after_edit(smoke_run, tmp_path, "scripts/fig_training_loss.py")
    assert jobs == {"all": 1, "fig_training_loss": 1, "report": 1}


def test_rewording_the_data_source_reruns_only_the_report(smoke_run, tmp_path):
    def reword(text):
        assert "synthetic demo data (" in text
        return text.replace("synthetic demo data (", "generated demo faces (")

    jobs = _jobs_after_edit(smoke_run, tmp_path, "rules/report_inputs.smk", reword)
    assert jobs == {"all": 1, "summary": 1, "macros": 1, "report": 1, "html_parts": 1}


def test_editing_restoration_code_reruns_restoration_only(smoke_run, tmp_path):
    jobs = _jobs_after_edit(smoke_run, tmp_path, "src/facevae/restore.py")
    assert jobs.pop("restore_faces") == 1 and jobs.pop("damage_faces") == 1
    # What reads its outputs follows; no model is trained or evaluated again.
    later = {"all", "fig_restoration", "table_restore", "summary", "macros", "report", "html_parts"}
    # chapter 3's restorers (latent search, the attribute check) use the same module
    later |= {"restore_search", "attribute_change", "table_restore_search", "fig_attribute_change"}
    later |= {"restore_search_recipe"}  # the same search in the improved VAE's latent space
    assert set(jobs) <= later
    assert jobs["restore_search"] == 1 and jobs["attribute_change"] == 1


def test_the_best_vae_is_one_file_and_no_temp_files_remain(smoke_run):
    import json

    import torch

    best = json.loads((smoke_run / RUN / "vae" / "best.json").read_text())
    chosen = smoke_run / RUN / "vae" / best["name"] / f"seed{best['seed']}" / "model.pt"
    copy = smoke_run / RUN / "vae" / "best" / "model.pt"
    assert chosen.read_bytes() == copy.read_bytes()
    assert best["latent"] in (4, 256) and best["beta"] in (1, 0.01)  # the grid point itself
    assert torch.load(copy, weights_only=True)["model_args"]["latent"] == best["latent"]
    assert not [p for p in smoke_run.rglob("*.tmp") if ".snakemake" not in p.parts]
    assert not list((smoke_run / RUN / "vae").rglob("resume.pt"))


def test_the_choice_of_model_reads_no_test_result(tmp_path):
    """select_best_vae's inputs are validation scores and models; no file of the test split."""
    workdir = copy_workflow(tmp_path)
    result = snakemake(workdir, "--dry-run", "--configfile", "tests/smoke.yaml")
    assert result.returncode == 0, result.stderr[-2000:]
    block = result.stdout.split("rule select_best_vae:")[1].split("\n\n")[0]
    inputs = block.split("input:")[1].split("\n")[0].split(", ")
    assert len(inputs) == 8, inputs  # four val_metrics.json and four model.pt
    assert all(p.endswith(("/val_metrics.json", "/model.pt")) for p in inputs), inputs
    assert not any("test" in p for p in inputs)


def test_editing_vae_code_retrains_exactly_the_vaes(smoke_run, tmp_path):
    jobs = _jobs_after_edit(smoke_run, tmp_path, "src/facevae/vae_train.py")
    # the grid, chapter 3's mixture-prior VAE, and that VAE and its twin on the second seed of
    # beyond.generation.seeds; the improved VAE on its two seeds and its two ablation variants
    assert jobs["train_vae"] == 4 + 1 + 2 + 2 + 2
    assert "train_cnn" not in jobs and "evaluate_cnn" not in jobs


def test_editing_cnn_code_retrains_exactly_the_cnns(smoke_run, tmp_path):
    jobs = _jobs_after_edit(smoke_run, tmp_path, "src/facevae/cnn_train.py")
    assert jobs["train_cnn"] == 3 * 2  # three tasks, two seeds in tests/smoke.yaml
    # chapter 3's variants train with the same code: 3 remedies (ethnicity, one network
    # each), the multi-task recipe and, of its ablation in tests/smoke.yaml, the recipe
    # without age loss (multi-task) and without multi-task (3 networks)
    assert jobs["train_variant"] == 3 + 3 and jobs["train_multitask"] == 2
    assert "train_vae" not in jobs and "restore_faces" not in jobs


def test_chapter_three_is_built_and_can_be_switched_off(smoke_run, tmp_path):
    import json

    summary = json.loads((smoke_run / RUN / "summary.json").read_text())
    text = "\n".join(p.extract_text() for p in PdfReader(smoke_run / RUN / "report.pdf").pages)
    assert "Beyond the original" in text
    opening = " ".join(summary["text.beyond.reweight.effect"].split()[:3])  # "raised the macro"
    assert f"class weighting {opening}" in " ".join(text.split())
    for name in ("reweight", "augment", "reweight_augment", "improved"):
        assert summary[f"beyond.{name}.ethnicity.reference"] == "paper"
    assert summary["beyond.improved_without_multitask.age.reference"] == "improved"
    assert 0 <= summary["beyond.fairness.paper.gender.age.gap.accuracy"] <= 1
    # generation: the bound over k draws is at least their mean log-weight (the ELBO)
    for name in ("z4_b1", "z4_b1_gmm2"):
        for prior in ("own", "fitted"):
            scores = {k: summary[f"beyond.generation.{name}.{prior}.{k}"] for k in ("elbo", "k5")}
            assert scores["k5"] >= scores["elbo"], (name, prior, scores)
            assert 0 <= summary[f"beyond.generation.{name}.{prior}.ethnicity_tv"] <= 1
    assert summary["beyond.restore_search.erase.region_psnr"] > 0
    changed = summary["beyond.attribute_change.methods.corrupted.erase.ethnicity.changed"]
    assert 0 <= changed <= 1
    flat = " ".join(text.split())
    # (a float can push the rest of a sentence to the next page: only its opening is sought)
    assert "the latent search scores" in flat and "Generating faces" in flat
    assert summary["text.beyond.search.erase"].startswith("the latent search scores")
    # the mixture-prior VAE is set against its standard-prior twin (latent 4, beta 1), seed by
    # seed (two seeds in tests/smoke.yaml) and face by face; the difference splits into four
    # parts that sum to it, and on the first seed it is the difference of the two mean bounds
    assert summary["text.beyond.generation.mixture"].startswith(r"at $z=4$, $\beta=1$")
    assert "seed by seed over 2 seeds" in summary["text.beyond.generation.mixture"]
    twins = "beyond.prior_twins.z4_b1_gmm2"
    pair = {k: summary[f"{twins}.{k}"] for k in ("difference", "twin", "k")}
    assert pair["twin"] == "z4_b1" and pair["k"] == 5 and summary[f"{twins}.seeds"] == "0, 1"
    pair["per_seed"] = [float(v) for v in summary[f"{twins}.per_seed"].split(", ")]
    mean_gap = (
        summary["beyond.generation.z4_b1_gmm2.own.k5"] - summary["beyond.generation.z4_b1.own.k5"]
    )
    assert pair["per_seed"][0] == pytest.approx(mean_gap, rel=1e-3, abs=1e-2)
    parts = sum(summary[f"{twins}.{part}"] for part in ("recon", "variance", "minus_kl", "iw_gap"))
    assert parts == pytest.approx(pair["difference"], rel=1e-9, abs=1e-9)
    low, high = summary[f"{twins}.difference_ci95_low"], summary[f"{twins}.difference_ci95_high"]
    assert low <= pair["difference"] <= high
    assert summary["beyond.generation.z4_b1_gmm2.fitted_to"].startswith("samples of the aggregate")
    # off: nothing of it trains again or stays in the report; chapters 1 and 2 are untouched
    workdir = tmp_path / "off"
    shutil.copytree(smoke_run, workdir, symlinks=True)
    off = ("--configfile", "tests/smoke.yaml", "--config", "beyond={enabled: false}")
    result = snakemake(workdir, "--dry-run", "--quiet", "rules", *off)
    assert result.returncode == 0, result.stderr[-2000:]
    assert set(_job_counts(result.stdout + result.stderr)) == {
        "summary",
        "macros",
        "report",
        "html_parts",
        "all",
    }
    assert snakemake(workdir, *off).returncode == 0
    text = "\n".join(p.extract_text() for p in PdfReader(workdir / RUN / "report.pdf").pages)
    assert "Beyond the original" not in text and "Three supervised networks" in text


def test_a_new_grid_point_adds_exactly_its_jobs(smoke_run, tmp_path):
    workdir = tmp_path / "grid"
    shutil.copytree(smoke_run, workdir, symlinks=True)
    (workdir / "grid.yaml").write_text(
        "vae:\n  grid: [{latent: 4, beta: 1}, {latent: 4, beta: 0.01}, {latent: 256, beta: 1},"
        " {latent: 256, beta: 0.01}, {latent: 16, beta: 0.1}]\n"
    )
    result = snakemake(
        workdir, "--dry-run", "--quiet", "rules", "--configfile", "tests/smoke.yaml", "grid.yaml"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    jobs = _job_counts(result.stdout + result.stderr)
    assert jobs["train_vae"] == 1 and jobs["evaluate_vae"] == 1
    assert "train_cnn" not in jobs


def test_the_pdf_says_what_built_it(smoke_run):
    import json

    summary = json.loads((smoke_run / RUN / "summary.json").read_text())
    commit = (smoke_run / "commit.txt").read_text()
    assert summary["provenance.commit"] == commit and summary["provenance.dirty"] is False
    jobs = [key for key in summary if key.endswith(".precision") and ".jobs." in key]
    # every CNN, VAE (the grid's and chapter 3's, the learned mixture and its twin on the
    # second generation seed too, the improved VAE on its two seeds and its two ablation
    # variants) and chapter-3 training job, with its precision
    assert len(jobs) == 3 * 2 + 4 + 1 + 2 + 8 + 2 + 2
    assert summary["provenance.training.seconds"] > 0
    first_page = PdfReader(smoke_run / RUN / "report.pdf").pages[0].extract_text()
    flat = " ".join(first_page.split())
    assert commit[:12] in flat
    assert summary["data.sha256"][:16] in flat
    assert f"torch {summary['provenance.versions.torch']}" in flat
    text = " ".join(page.extract_text() for page in PdfReader(smoke_run / RUN / "report.pdf").pages)
    flat_text = " ".join(text.split())
    assert "[rule fig_mean_faces_age: scripts/fig_mean_faces_age.py]" in flat_text  # caption's end
    assert "[made by rule table_cnn: scripts/table_cnn.py]" in flat_text  # below the table
    assert "min of wall time" in flat and summary["provenance.training.wall_minutes"] > 0
    assert summary["provenance.source_url"] == ""  # the copy has no remote: nothing linked


def test_the_html_report_shows_every_figure_and_table_with_its_caption(smoke_run, tmp_path):
    from facevae.htmlreport import captions

    html = tmp_path / "report.html"
    result = snakemake(smoke_run, "--report", str(html), "--configfile", "tests/smoke.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    page = html.read_text()
    latex = captions("".join(p.read_text() for p in (REPO / "report" / "sections").glob("*.tex")))
    assert len(latex) == len(list((smoke_run / RUN / "captions").glob("*.rst"))) > 20
    for name in latex:
        rst = (smoke_run / RUN / "captions" / f"{name}.rst").read_text()
        assert rst.split(".")[0][:40] in page, name  # each caption's opening words
    # The page's headings are the PDF's sections, numbered alike, then every number.
    order = re.findall(r"\\input\{sections/(\w+)\}", (REPO / "report" / "report.tex").read_text())
    sections = REPO / "report" / "sections"
    titles = [
        re.search(r"\\section\{([^}:]+)", (sections / f"{name}.tex").read_text())[1]
        for name in order
    ]
    for number, title in enumerate([*titles, "Every number"], 1):
        assert f"{number}. {title}" in page, title
    assert f"{len(titles)}. Every number" not in page
    # The first page says what built the run.
    summary = json.loads((smoke_run / RUN / "summary.json").read_text())
    for shown in ("This run", summary["data.sha256"], summary["provenance.config_sha256"]):
        assert shown in page, shown


def cache_use(output: str) -> dict[str, str]:
    """{output file: "obtained from" or "written to"} from a dry run's lines about Snakemake's
    between-workflow cache."""
    found = re.findall(r"Output file (\S+) will be (obtained from|written to) global", output)
    return dict(found)


def test_a_second_configuration_shares_what_it_did_not_change(smoke_run, tmp_path):
    """Runs share trained models through Snakemake's output cache: a configuration that
    changes only VAE settings retrains no CNN, one that changes only chapter-3 settings
    retrains no VAE of the grid, and what is shared is the first run's very file."""
    # Two different jobs never share an entry: every output linked into the cache is a file
    # of its own (jobs that differ only in wildcards hash apart, see the rules' params).
    linked = [
        p for p in (smoke_run / RUN).rglob("*") if p.is_symlink() and "shared" in str(p.resolve())
    ]
    assert len(linked) > 20 and len({p.resolve() for p in linked}) == len(linked)
    workdir = tmp_path / "shared"
    shutil.copytree(smoke_run, workdir, symlinks=True)
    smoke = ["--configfile", "tests/smoke.yaml"]
    vae_only = snakemake(workdir, "--dry-run", *smoke, "--config", "run=vaelr", "vae={lr: 0.002}")
    assert vae_only.returncode == 0, vae_only.stderr[-3000:]
    use = cache_use(vae_only.stdout + vae_only.stderr)
    cnn = {f: how for f, how in use.items() if "/cnn/" in f}
    grid = {f: how for f, how in use.items() if "/vae/z4_b1/" in f or "/vae/z256_b1/" in f}
    assert len(cnn) == 6 and set(cnn.values()) == {"obtained from"}
    assert grid and set(grid.values()) == {"written to"}  # the changed setting retrains them
    beyond_only = ["run=restore6", "beyond={restore_search: {steps: 6}}"]
    chapter3 = snakemake(workdir, "--dry-run", *smoke, "--config", *beyond_only)
    use = cache_use(chapter3.stdout + chapter3.stderr)
    assert use and set(use.values()) == {"obtained from"}  # no model of any kind retrains
    # A real second run: the CNN is linked to the first run's file, its trainer never ran.
    target = "results/vaelr-synthetic/cnn/gender/metrics.json"
    second = snakemake(workdir, target, *smoke, "--config", "run=vaelr", "vae={lr: 0.002}")
    assert second.returncode == 0, second.stderr[-3000:]
    for seed in (0, 1):
        ours = workdir / f"results/vaelr-synthetic/cnn/gender/seed{seed}/model.pt"
        first = workdir / f"{RUN}/cnn/gender/seed{seed}/model.pt"
        assert ours.is_symlink() and ours.read_bytes() == first.read_bytes()
        log = workdir / f"results/vaelr-synthetic/logs/cnn/train_gender_seed{seed}.log"
        assert not log.exists() or log.read_text() == ""  # Snakemake makes it; no trainer ran


def test_a_second_configuration_leaves_the_first_alone(smoke_run, tmp_path):
    """Smoke run, then a second tiny configuration, then the smoke run again: the third step
    runs nothing and both runs' results stay, side by side in `compare`."""
    workdir = tmp_path / "two_runs"
    shutil.copytree(smoke_run, workdir, symlinks=True)
    tiny = ["--configfile", "tests/smoke.yaml", "--config", "run=tiny", "cnn={seeds: [0]}"]
    second = snakemake(workdir, *tiny)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "about to run on the CPU" not in second.stderr  # tiny models: minutes, no warning
    assert (workdir / "report" / "report.pdf").resolve().parent.name == "tiny-synthetic"
    third = snakemake(workdir, "--configfile", "tests/smoke.yaml")
    assert third.returncode == 0, third.stderr[-3000:]
    assert "Nothing to be done" in third.stdout + third.stderr
    for run in ("smoke-synthetic", "tiny-synthetic"):
        assert (workdir / "results" / run / "report.pdf").stat().st_size > 10_000
    compare = subprocess.run(
        [sys.executable, "-m", "facevae.compare", "smoke-synthetic", "tiny-synthetic"],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(workdir / "src")},
    )
    assert compare.returncode == 0, compare.stderr
    assert "smoke-synthetic" in compare.stdout and "tiny-synthetic" in compare.stdout
    assert "config.cnn.seeds" in compare.stdout  # the one setting that differs
    assert " 2. Three supervised networks" in compare.stdout  # the CNNs' seeds changed
    assert len(compare.stdout.splitlines()) <= 80  # a screen or two; --all for everything


def readme_commands() -> list[str]:
    """The commands of the README's "Everyday commands" block."""
    text = (REPO / "README.md").read_text()
    block = text.split("<!-- commands")[1].split("<!-- end commands -->")[0]
    lines = block.split("```bash")[1].split("```")[0].strip().splitlines()
    return [line.split("  #")[0].strip() for line in lines]


# Jobs each README command would run in a finished demo run (here the smoke run stands in for
# the demo: configs/demo.yaml -> tests/smoke.yaml). None: a new run of config.yaml's paper
# settings, checked separately.
README_JOBS = {
    "snakemake --cores all --resources gpu=1": None,
    "snakemake --cores all --resources gpu=1 --configfile configs/demo.yaml": {},
    "snakemake report --cores all --configfile configs/demo.yaml": {},
    "snakemake fig_mean_faces_age --cores all --configfile configs/demo.yaml": {},
    "snakemake --cores all --forcerun fig_mean_faces_age --configfile configs/demo.yaml": {
        "fig_mean_faces_age": 1,
        "report": 1,
        "all": 1,
    },
    "snakemake --dry-run --configfile configs/demo.yaml": {},
}


def test_every_readme_command_runs_what_it_says(smoke_run):
    commands = readme_commands()
    assert commands == list(README_JOBS), "README commands and their expected jobs differ"
    env = os.environ | {"PYTHONPATH": str(smoke_run / "src")}
    for command, expected in README_JOBS.items():
        args = command.replace("configs/demo.yaml", "tests/smoke.yaml").split()[1:]
        result = subprocess.run(
            [sys.executable, "-m", "snakemake", *args, "--dry-run", "--quiet", "rules"],
            cwd=smoke_run,
            capture_output=True,
            text=True,
            env=env,
        )
        assert result.returncode == 0, (command, result.stderr[-2000:])
        jobs = _job_counts(result.stdout + result.stderr)
        if expected is None:  # config.yaml: the paper's settings, a run of their own
            # the grid on one seed, the two mixture-prior VAEs on the three generation seeds,
            # their standard-prior twins (grid points) on the two seeds the grid lacks, the
            # improved VAE on three seeds and its two ablation variants on one
            assert jobs["train_vae"] == 4 + 2 * 3 + 2 * 2 + 3 + 2 and jobs["train_cnn"] == 3 * 3, (
                jobs
            )
        else:
            assert jobs == expected, command
    assert not (smoke_run / "results" / "paper-synthetic").exists()


def test_rebuilding_the_pdf_only_runs_latex(smoke_run, tmp_path):
    workdir = tmp_path / "pdf"
    shutil.copytree(smoke_run, workdir, symlinks=True)
    with (workdir / "report" / "sections" / "data.tex").open("a") as section:
        section.write("\n% edited by a test\n")
    result = snakemake(
        workdir, "report", "--dry-run", "--quiet", "rules", "--configfile", "tests/smoke.yaml"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert _job_counts(result.stdout + result.stderr) == {"report": 1}


@pytest.mark.parametrize(
    ("seeds", "jobs"),
    # the grid's four points on every seed; chapter 3's two mixture-prior VAEs and their
    # standard-prior twins (z256_b1, z256_b0.01) on each of beyond.generation.seeds [0, 1, 2];
    # the improved VAE on its three seeds and its two ablation variants on one
    [("[0]", 2 + 4 * 3 + 5), ("[0, 1]", 2 * 2 + 4 * 3 + 5)],
)
def test_hours_of_cpu_training_are_announced_before_the_first_job(tmp_path, seeds, jobs):
    """config.yaml's 200 VAE epochs on a CPU: the run measures a step and says how long."""
    workdir = copy_workflow(tmp_path)
    (workdir / "seeds.yaml").write_text(f"vae: {{seeds: {seeds}}}\n")
    result = snakemake(workdir, "synthetic_faces", "--configfile", "config.yaml", "seeds.yaml")
    assert result.returncode == 0, result.stderr[-2000:]
    output = result.stdout + result.stderr
    warning = output.index(f"{jobs} VAE training job(s) of run paper-synthetic are about to run")
    assert warning < output.index("localrule synthetic_faces")
    assert "--configfile configs/demo.yaml" in output
    assert re.search(r"puts them at about \d+ h", output)
