# Set-up and entry points. `make report` and `make test` are all a new machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SNAKEMAKE := $(BIN)/snakemake
# Extra arguments for snakemake, e.g. make report SNAKEMAKE_ARGS="--dry-run". Like RAW_CSV
# and SETTINGS it reaches the shell through the environment, never as recipe text: its words
# become arguments, and a ; or $(...) in it is passed on as text, never run.
SNAKEMAKE_ARGS ?=
export SNAKEMAKE_ARGS
# Debian packages that give latexmk, pdflatex and the LaTeX packages report.tex uses.
TEX_PACKAGES := latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended

# Which table the report is built from: RAW_CSV=PATH, else data/age_gender.csv(.gz) if
# present, else the synthetic demo (configs/demo.yaml). RAW_CSV reaches snakemake through the
# environment, as "$$RAW_CSV" in double quotes: one argument whatever spaces or ; it holds.
# SETTINGS=configs/cpu.yaml picks a settings file on top of config.yaml (the paper's settings,
# meant for a GPU); without a table the demo settings are used whatever SETTINGS says.
RAW_CSV ?=
SETTINGS ?=
export RAW_CSV SETTINGS
DEFAULT_CSV := $(firstword $(wildcard data/age_gender.csv data/age_gender.csv.gz))
ifneq ($(RAW_CSV),)
  DATA_ARGS := $(if $(SETTINGS),--configfile "$$SETTINGS") --config "raw_csv=$$RAW_CSV"
else ifeq ($(DEFAULT_CSV),)
  DATA_ARGS := --configfile configs/demo.yaml
else
  DATA_ARGS := $(if $(SETTINGS),--configfile "$$SETTINGS")
endif
# The paths that are part of commands (the venv, the Python that makes it) may not hold
# characters the shell would act on.
SHELL_SPECIAL := ; & | ` < > " ' \ $$
$(foreach name,VENV PYTHON,$(foreach c,$(SHELL_SPECIAL),$(if $(findstring $(c),$($(name))),\
  $(error $(name)=$($(name)) holds the shell character "$(c)": choose a plain path))))

.PHONY: report demo html status stages compare test test-slurm lint bench tex venv clean

report: venv tex  ## build the run's PDF (real table if given or found, else the demo)
	$(SNAKEMAKE) --cores all --resources gpu=1 $(DATA_ARGS) $$SNAKEMAKE_ARGS

html: venv  ## report.html: every figure, table and number of the same run as `make report`
	$(SNAKEMAKE) --report report.html $(DATA_ARGS) $$SNAKEMAKE_ARGS

status: venv  ## what every running training job has done and when it should end
	$(BIN)/python -m facevae.status

stages: venv  ## where the last run's wall time went: minutes per stage and rule, from its log
	$(BIN)/python -m facevae.stages

# make compare A=demo-synthetic B=cpu-age_gender (folder names under results/)
compare: venv  ## two runs side by side: settings and headline metrics that differ (ALL=1: every one)
	$(BIN)/python -m facevae.compare "$$A" "$$B" $(if $(ALL),--all)

demo: venv tex  ## build the report from synthetic faces only
	$(SNAKEMAKE) --cores all --resources gpu=1 --configfile configs/demo.yaml $$SNAKEMAKE_ARGS

test: venv tex  ## unit tests, lint, and a tiny end-to-end workflow run
	$(BIN)/python -m pytest -q

# Installs SLURM, munge and MariaDB from apt when missing (root or sudo, like `tex`), runs a
# one-node cluster with all its state in a temp dir, and stops it again (tests/slurm/cluster.sh).
test-slurm: venv tex  ## the tiny workflow through profiles/slurm on a throw-away SLURM cluster
	FACEVAE_SLURM_TEST=1 $(BIN)/python -m pytest -q -s tests/test_slurm.py

lint: venv  ## snakemake --lint, snakefmt and ruff (also part of make test)
	$(SNAKEMAKE) --lint
	$(BIN)/snakefmt --check Snakefile rules
	$(BIN)/ruff check src scripts tests
	$(BIN)/ruff format --check src scripts tests

# Training and ingest speed against textbook baselines (prints a table and one JSON object).
BENCH_CSV ?= $(or $(RAW_CSV),$(DEFAULT_CSV))
export BENCH_CSV
bench: venv
	$(BIN)/python -m facevae.bench $(if $(BENCH_CSV),--csv "$$BENCH_CSV")

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# TeX Live from apt when latexmk or a LaTeX package is missing: as root directly, else with sudo.
tex:
	@if command -v latexmk >/dev/null && kpsewhich booktabs.sty microtype.sty >/dev/null; then \
	  exit 0; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update && apt-get install -y --no-install-recommends $(TEX_PACKAGES); \
	elif command -v sudo >/dev/null; then \
	  sudo apt-get update && sudo apt-get install -y --no-install-recommends $(TEX_PACKAGES); \
	else \
	  echo "LaTeX is missing and this user can neither install packages nor use sudo." >&2; \
	  echo "Ask an administrator for: apt-get install $(TEX_PACKAGES)" >&2; \
	  echo "(or install TeX Live with latexmk yourself and put it on PATH)." >&2; \
	  exit 1; \
	fi

clean:  ## remove every run's outputs (keeps the venv)
	rm -rf results report/report.pdf report.html
