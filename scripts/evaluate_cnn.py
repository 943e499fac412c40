"""Test metrics of one task's CNNs over all their seeds: the mean over seeds, its spread and
a bootstrap interval over test faces (every seed's model scored on the same resampled faces)."""

import logging

import numpy as np

from facevae.data import ETHNICITY_KEYS, GENDER_KEYS
from facevae.files import load_npz, read_json, write_json
from facevae.metrics import headline_means, over_seeds

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
task, params = snakemake.wildcards.task, snakemake.params
runs = [load_npz(path) for path in snakemake.input.predictions]
y_true = runs[0]["y_true"]
assert all(np.array_equal(run["y_true"], y_true) for run in runs), "seeds saw other test faces"
classes = None if task == "age" else GENDER_KEYS if task == "gender" else ETHNICITY_KEYS
metrics = over_seeds(y_true, [run["y_pred"] for run in runs], classes, **params.bootstrap)
val = [load_npz(path) for path in snakemake.input.val_predictions]
metrics |= headline_means(val[0]["y_true"], [run["y_pred"] for run in val], classes)
histories = [read_json(path) for path in snakemake.input.histories]
metrics["train_seconds"] = float(np.mean([sum(h["epoch_seconds"]) for h in histories]))
metrics["parameters"] = histories[0]["parameters"]
metrics["epochs"] = len(histories[0]["epoch_seconds"])  # each model after its last epoch
metrics["val_metric"] = float(np.mean([h["val_metric"][-1] for h in histories]))
metrics["test_faces"] = len(y_true)
metrics["seeds"] = len(runs)
write_json(snakemake.output[0], metrics)
logging.info("%s", metrics)
