"""Merge every stage's JSON into the flat results/summary.json the report reads, with the
report's wording of results (data source, names of the winning restorers)."""

import logging

from facevae.files import read_json, write_json
from facevae.report import merge_parts, method_name, result_sentences

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
parts = [(prefix, read_json(path)) for prefix, path in zip(params.prefixes, snakemake.input)]
tree = {prefix: part for prefix, part in parts}  # the last part of each prefix (see below)

# The final (test) numbers of the VAE chosen on validation scores, also under vae.best.
best = tree["vae.best"]
test = next(
    part for prefix, part in parts if prefix == f"vae.{best['name']}" and "test_psnr" in part
)
best |= {k: v for k, v in test.items() if k.startswith("test_") or k == "parameters"}
restore = tree["restore"]
restore["winner"] = {corruption: method_name(m) for corruption, m in restore["best"].items()}

summary = merge_parts(parts + list(params.settings.items()))
# Clauses whose truth depends on the results, chosen from them (never typed in the .tex).
for key, text in result_sentences(tree, params.settings["paper"]).items():
    summary[f"text.{key}"] = text
summary["data.synthetic"] = params.synthetic
summary["data.source"] = params.source
write_json(snakemake.output[0], summary)
logging.info("wrote %d keys", len(summary))
