"""Merge every stage's JSON into the flat results/summary.json the report reads, with the
report's wording of results (data source, names of the winning restorers)."""

import logging

from facevae.files import read_json, write_json
from facevae.report import merge_parts, method_name

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
parts = {prefix: read_json(path) for prefix, path in zip(params.prefixes, snakemake.input)}
restore = parts["restore"]
restore["winner"] = {corruption: method_name(m) for corruption, m in restore["best"].items()}
summary = merge_parts(parts | params.settings)
summary["data.synthetic"] = params.synthetic
summary["data.source"] = params.source
write_json(snakemake.output[0], summary)
logging.info("wrote %d keys", len(summary))
