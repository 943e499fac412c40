"""Settings from the command line: nested overrides read as the schema's types, and every
problem reported at once, one line each, with the closest valid key for a misspelt one."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from facevae.settings import coerce, problems

REPO = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((REPO / "schemas" / "config.schema.yaml").read_text())
CONFIG = yaml.safe_load((REPO / "config.yaml").read_text())


def merged(base: dict, override: dict) -> dict:
    """`override` laid over `base` key by key at every depth, as Snakemake does with
    --configfile."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            value = merged(base[key], value)
        out[key] = value
    return out


def test_the_shipped_settings_pass():
    assert problems(CONFIG, SCHEMA) == []
    for name in ("demo", "cpu"):
        override = yaml.safe_load((REPO / "configs" / f"{name}.yaml").read_text())
        assert problems(merged(CONFIG, override), SCHEMA) == [], name


def test_text_from_the_command_line_becomes_numbers_lists_and_booleans():
    # What snakemake hands over for --config 'vae={epochs: 20, lr: 3e-4, seeds: [0, 1]}'.
    given = {
        "vae": {"epochs": "20", "lr": "3e-4", "seeds": ["0", "1"]},
        "image_metrics": {"ssim_gaussian": "true"},
        "run": "123",
    }
    read = coerce(given, SCHEMA)
    assert read["vae"] == {"epochs": 20, "lr": 3e-4, "seeds": [0, 1]}
    assert read["image_metrics"]["ssim_gaussian"] is True
    assert read["run"] == "123"  # a string setting stays a string
    assert coerce({"vae": {"epochs": "twenty"}}, SCHEMA)["vae"]["epochs"] == "twenty"
    # through a shared definition ($ref) and under keys the settings name themselves
    beyond = {"seeds": ["1"], "variants": {"mine": {"epochs": "3", "augment": "yes"}}}
    read = coerce({"beyond": beyond}, SCHEMA)["beyond"]
    assert read == {"seeds": [1], "variants": {"mine": {"epochs": 3, "augment": True}}}


def test_every_problem_is_one_line_with_the_closest_key():
    config = {**CONFIG, "vae": {**CONFIG["vae"], "epoch": 5, "lrr": 1e-3, "batch_size": "x"}}
    config["cnnn"] = {}
    found = problems(config, SCHEMA)
    assert "cnnn: unknown setting; did you mean 'cnn'?" in found
    assert "vae.epoch: unknown setting; did you mean 'epochs'?" in found
    assert "vae.lrr: unknown setting; did you mean 'lr'?" in found
    assert "vae.batch_size: 'x' is not of type integer" in found
    assert len(found) == 4
    variants = {"wide": {"tasks": ["gender"], "chanels": [8, 8, 8], "age_loss": "l3"}}
    config = {**CONFIG, "beyond": {**CONFIG["beyond"], "variants": variants}}
    found = problems(config, SCHEMA)
    assert "beyond.variants.wide.chanels: unknown setting; did you mean 'channels'?" in found
    assert any(line.startswith("beyond.variants.wide.age_loss: 'l3'") for line in found)


@pytest.mark.workflow
def test_a_nested_override_on_the_command_line(tmp_path):
    """The README's way to change one nested setting: it reaches the job's parameters."""
    command = [sys.executable, "-m", "snakemake", "--dry-run", "--printshellcmds"]
    result = subprocess.run(
        [*command, "--configfile", "configs/demo.yaml", "--config", "vae={epochs: 3, lr: 3e-4}"]
        + ["cnn={seeds: [5]}", "run=override_test"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-2000:]  # epochs and lr were read as numbers
    assert "results/override_test-synthetic/cnn/gender/seed5/model.pt" in output


@pytest.mark.workflow
def test_the_override_config_yaml_suggests_works():
    """The command in config.yaml's comment on run names, as pasted into a shell."""
    import shlex

    line = next(line for line in (REPO / "config.yaml").open() if "--config run=" in line)
    given = shlex.split(line.split("e.g. ", 1)[1].split(" (")[0])
    assert given[0] == "--config" and given[1] == "run=paper_lr3e4"
    command = [sys.executable, "-m", "snakemake", "--dry-run", "--configfile", "configs/demo.yaml"]
    result = subprocess.run([*command, *given], cwd=REPO, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-2000:]
    assert "results/paper_lr3e4-synthetic/vae/" in output


def test_unknown_keys_stop_the_run_with_one_line_each():
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--dry-run", "--config", "vae={epoch: 3}", "rnu=x"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "2 problem(s) in the settings" in output
    assert "vae.epoch: unknown setting; did you mean 'epochs'?" in output
    assert "rnu: unknown setting; did you mean 'run'?" in output
    assert len(output.splitlines()) < 30
