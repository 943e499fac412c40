"""Accuracy of the gender and ethnicity classifiers per age bucket and per ethnicity, for the
paper model and the improved recipe (each the mean over its seeds), with intervals."""

import logging

import numpy as np

from facevae.data import ETHNICITY_KEYS
from facevae.files import load_npz, write_json
from facevae.metrics import group_accuracy

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
faces = load_npz(snakemake.input.faces)
edges = params.age_edges
age_labels = [f"{lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:])]
models = {
    "paper": (snakemake.input.paper, params.paper_seeds),
    "improved": (snakemake.input.improved, params.improved_seeds),
}
found = {}
for model, (paths, seeds) in models.items():
    runs = iter(load_npz(path) for path in paths)  # task by task, seed by seed
    for task in params.tasks:
        predictions = [next(runs) for _ in seeds]
        index, y_true = predictions[0]["index"], predictions[0]["y_true"]
        ages = faces["age"][index]
        if ages.max() >= edges[-1]:
            raise ValueError(f"fairness_age_edges: the last edge must exceed {ages.max()}")
        groupings = {
            "age": (np.digitize(ages, edges) - 1, age_labels),
            "ethnicity": (faces["ethnicity"][index], list(ETHNICITY_KEYS)),
        }
        found.setdefault(model, {})[task] = {
            by: group_accuracy(
                y_true, [p["y_pred"] for p in predictions], groups, labels, **params.bootstrap
            )
            for by, (groups, labels) in groupings.items()
        }
write_json(snakemake.output[0], found)
logging.info("%s", found)
