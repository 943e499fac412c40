"""Test metrics of one task's CNN from its saved predictions."""

import json

from facevae.data import ETHNICITY_KEYS, GENDER_KEYS, load_npz
from facevae.metrics import classification_metrics, regression_metrics

task = snakemake.wildcards.task
pred = load_npz(snakemake.input.predictions)
with open(snakemake.input.history) as handle:
    history = json.load(handle)
if task == "age":
    metrics = regression_metrics(pred["y_true"], pred["y_pred"])
else:
    keys = GENDER_KEYS if task == "gender" else ETHNICITY_KEYS
    metrics = classification_metrics(pred["y_true"], pred["y_pred"], keys)
metrics["train_seconds"] = sum(history["epoch_seconds"])
metrics["parameters"] = history["parameters"]
metrics["test_faces"] = len(pred["y_true"])
with open(snakemake.output[0], "w") as handle:
    json.dump(metrics, handle, indent=2)
with open(snakemake.log[0], "w") as log:
    print(json.dumps(metrics), file=log)
