# Rebuilds a run's PDF report from the raw face table; see README.md for how to run it.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


# Between runs, trained models are shared through Snakemake's output cache (rules marked
# `cache: True`, active with --cache, which the default profile passes): a job whose code,
# settings and inputs, traced back to the raw table, match one already run by any run is
# linked to that job's files instead of running again.
import os

OUTPUT_CACHE = os.environ.setdefault(
    "SNAKEMAKE_OUTPUT_CACHE", f"{workflow.basedir}/results/shared"
)


include: "rules/settings.smk"
include: "rules/common.smk"
include: "rules/checks.smk"


wildcard_constraints:
    name="[a-z0-9_]+",
    task="gender|ethnicity|age",
    vae=names.VAE_NAME_PATTERN,
    seed="[0-9]+",
    variant="[a-z0-9_]+",


include: "rules/data.smk"
include: "rules/supervised_inputs.smk"
include: "rules/supervised.smk"
include: "rules/vae_inputs.smk"
include: "rules/vae.smk"
include: "rules/restore_inputs.smk"
include: "rules/restore.smk"


if BEYOND_ON:

    include: "rules/beyond_inputs.smk"
    include: "rules/beyond.smk"


include: "rules/report_inputs.smk"
include: "rules/report.smk"


# The first page of `snakemake --report`: report/workflow.rst and what built this run,
# written by the rule html_parts.
report: out("workflow.rst")


rule all:
    default_target: True
    input:
        out("report.pdf"),
        rules.html_parts.output,
    localrule: True


# Before the first job (never in a dry run): the output cache's folder, and a warning when
# the settings would keep a CPU busy for hours.
onstart:
    os.makedirs(OUTPUT_CACHE, exist_ok=True)
    warn_before_long_cpu_training()
