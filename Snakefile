# Rebuilds report/report.pdf from the raw face table; see README.md for how to run it.
from snakemake.utils import min_version, validate


min_version("9.0")


configfile: "config.yaml"


validate(config, "schemas/config.schema.yaml")


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/report.smk"


rule all:
    input:
        "report/report.pdf",
    default_target: True
