"""Metrics of one chapter-3 variant for one task over its seeds: the test metrics with their
spread and intervals (as for the chapter-1 models), the validation metrics that choices are
made by, and the paired difference from its reference (the paper model, or the improved
recipe for an ablation) on the validation and on the test faces. Test intervals draw the
seeds (paired by number with the reference's where both have the same), then near-copy
groups of the test faces."""

import logging

from facevae.data import ETHNICITY_KEYS, GENDER_KEYS
from facevae.files import load_npz, read_json, write_json
from facevae.metrics import variant_metrics

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
task, params, given = snakemake.wildcards.task, snakemake.params, snakemake.input
classes = None if task == "age" else GENDER_KEYS if task == "gender" else ETHNICITY_KEYS
runs = {part: [load_npz(path) for path in given[part]] for part in ("val", "test")}
reference_runs = {
    part: [load_npz(path) for path in given[f"reference_{part}"]] for part in ("val", "test")
}
histories = [read_json(path) for path in given.histories]
options = params.bootstrap | {
    "groups": load_npz(given.groups)["group"][runs["test"][0]["index"]],  # of the test faces
    "seeds": params.seeds,
    "reference_seeds": params.reference_seeds,
}
metrics = variant_metrics(runs, reference_runs, histories, classes, params.reference, **options)
write_json(snakemake.output[0], metrics)
logging.info("%s", metrics)
