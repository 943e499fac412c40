# Rebuilds report/report.pdf from the raw face table; see README.md for how to run it.
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config.yaml"


validate(config, "schemas/config.schema.yaml")


include: "rules/common.smk"


wildcard_constraints:
    name="[a-z0-9_]+",
    task="gender|ethnicity|age",
    vae="z[0-9]+_b[0-9.e+-]+",


include: "rules/data.smk"
include: "rules/supervised.smk"
include: "rules/vae.smk"
include: "rules/restore.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        "report/report.pdf",
