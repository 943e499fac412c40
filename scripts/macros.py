"""Turn results/summary.json into LaTeX macros: \\val{key} in the report prints the value."""

import logging

from facevae.files import read_json, write_text
from facevae.latex import latex_macros

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
summary = read_json(snakemake.input.summary)
write_text(snakemake.output[0], latex_macros(summary))
logging.info("%d keys -> %s", len(summary), snakemake.output[0])
