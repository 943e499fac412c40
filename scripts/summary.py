"""Merge every stage's JSON into the flat results/summary.json the report reads."""

import json
import logging

from facevae.report import merge_parts, write_json

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
parts = {}
for prefix, path in zip(snakemake.params.prefixes, snakemake.input, strict=True):
    with open(path) as handle:
        parts[prefix] = json.load(handle)
summary = merge_parts(parts | snakemake.params.settings)
summary["data.synthetic"] = snakemake.params.synthetic
write_json(snakemake.output[0], summary)
logging.info("wrote %d keys", len(summary))
