"""Accuracy of the gender and ethnicity classifiers per age bucket and per ethnicity, for the
paper model and the improved recipe (each the mean over its seeds), with two-level
intervals: seeds, then near-copy groups of the test faces."""

import logging

from facevae.data import ETHNICITY_KEYS
from facevae.files import load_npz, write_json
from facevae.metrics import accuracy_by_group
from facevae.stats import describe

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
faces = load_npz(snakemake.input.faces)
near = load_npz(snakemake.input.groups)["group"]  # near-copy group of every face of the table
models = {
    "paper": (snakemake.input.paper, params.paper_seeds),
    "improved": (snakemake.input.improved, params.improved_seeds),
}
found = {}
for model, (paths, seeds) in models.items():
    runs = iter(load_npz(path) for path in paths)  # task by task, seed by seed
    found[model] = {
        task: accuracy_by_group(
            [next(runs) for _ in seeds],
            faces["age"],
            faces["ethnicity"],
            params.age_edges,
            ETHNICITY_KEYS,
            **params.bootstrap,
            near_copies=near,
        )
        for task in params.tasks
    }
found["interval"] = describe(max(len(params.paper_seeds), len(params.improved_seeds)))
write_json(snakemake.output[0], found)
logging.info("%s", found)
