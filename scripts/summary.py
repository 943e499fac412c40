"""Merge every stage's JSON into the flat results/summary.json the report reads, with the
report's wording of results (data source, names of the winning restorers, result clauses)."""

import logging
from pathlib import Path

from facevae.files import read_json, write_json
from facevae.names import group_name
from facevae.provenance import collect
from facevae.report import merge_parts, method_name
from facevae.sentences import report_sentences, smallest_class

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
parts = {prefix: read_json(path) for prefix, path in zip(params.prefixes, snakemake.input.parts)}
jobs = params.training_jobs
histories = {job: read_json(path) for job, path in zip(jobs, snakemake.input.histories)}

# The test numbers of the VAE chosen on validation, also under vae.best.
best = parts["vae.best"]
chosen = parts[f"vae.{best['name']}"]
best |= {k: v for k, v in chosen.items() if k.startswith("test_") or k == "parameters"}
restore = parts["restore"]
restore["winner"] = {damage: method_name(m) for damage, m in restore["best"].items()}

# What built these numbers (commit, settings, versions, where each model trained): read
# here, not passed as parameters, so that a new commit alone reruns nothing.
provenance = collect(Path(__file__).parent, snakemake.config, histories)
summary = merge_parts(parts | params.settings | {"provenance": provenance})
# Clauses whose truth depends on the results, chosen from them (never typed in the .tex).
summary |= report_sentences(
    parts, params.settings["paper"], snakemake.config, params.vae_points, params.synthetic
)
if params.beyond["enabled"]:
    summary["beyond.smallest_class"] = group_name(smallest_class(parts))
summary |= {"data.synthetic": params.synthetic, "data.source": params.source}
summary["data.sha256_short"] = summary["data.sha256"][:16]
write_json(snakemake.output[0], summary)
logging.info("wrote %d keys", len(summary))
