"""Test metrics of one task's CNN from its saved predictions."""

import logging

from facevae.data import ETHNICITY_KEYS, GENDER_KEYS
from facevae.files import load_npz, read_json, write_json
from facevae.metrics import classification_metrics, regression_metrics

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
task = snakemake.wildcards.task
pred = load_npz(snakemake.input.predictions)
history = read_json(snakemake.input.history)
if task == "age":
    metrics = regression_metrics(pred["y_true"], pred["y_pred"])
else:
    keys = GENDER_KEYS if task == "gender" else ETHNICITY_KEYS
    metrics = classification_metrics(pred["y_true"], pred["y_pred"], keys)
metrics["train_seconds"] = sum(history["epoch_seconds"])
metrics["parameters"] = history["parameters"]
metrics["test_faces"] = len(pred["y_true"])
write_json(snakemake.output[0], metrics)
logging.info("%s", metrics)
