"""Turn results/summary.json into LaTeX macros: \\val{key} in the report prints the value."""

import json

from facevae.report import latex_macros, write_text

with open(snakemake.input[0]) as handle:
    summary = json.load(handle)
write_text(snakemake.output[0], latex_macros(summary))
with open(snakemake.log[0], "w") as log:
    print(f"{len(summary)} keys -> {snakemake.output[0]}", file=log)
