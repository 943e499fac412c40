"""Metrics of one chapter-3 variant for one task over its seeds: the test metrics with their
spread and intervals (as for the chapter-1 models), the validation metrics that choices are
made by, and the paired difference from its reference (the paper model, or the improved
recipe for an ablation) on the validation and on the test faces."""

import logging

import numpy as np

from facevae.data import ETHNICITY_KEYS, GENDER_KEYS
from facevae.files import load_npz, read_json, write_json
from facevae.metrics import headline_means, over_seeds, paired_differences

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
task, params, given = snakemake.wildcards.task, snakemake.params, snakemake.input
classes = None if task == "age" else GENDER_KEYS if task == "gender" else ETHNICITY_KEYS


def predictions(paths):
    runs = [load_npz(path) for path in paths]
    y_true = runs[0]["y_true"]
    assert all(np.array_equal(run["y_true"], y_true) for run in runs), "seeds saw other faces"
    return y_true, [run["y_pred"] for run in runs]


y_test, test = predictions(given.test)
y_val, val = predictions(given.val)
y_ref_test, reference_test = predictions(given.reference_test)
y_ref_val, reference_val = predictions(given.reference_val)
assert np.array_equal(y_test, y_ref_test) and np.array_equal(y_val, y_ref_val), (
    "the variant and its reference were scored on different faces"
)

metrics = over_seeds(y_test, test, classes, **params.bootstrap) | headline_means(
    y_val, val, classes
)
metrics["reference"] = params.reference
metrics["versus"] = paired_differences(y_test, test, reference_test, classes, **params.bootstrap)
# On the validation faces only the change itself is needed (choices read it, no interval).
reference_means = headline_means(y_val, reference_val, classes)
metrics["versus"] |= {f"{key}_diff": metrics[key] - reference_means[key] for key in reference_means}
histories = [read_json(path) for path in given.histories]
metrics["train_seconds"] = float(np.mean([sum(h["epoch_seconds"]) for h in histories]))
metrics["parameters"] = histories[0]["parameters"]
metrics["epochs"] = len(histories[0]["epoch_seconds"])
metrics["precision"] = histories[0].get("precision", "unknown")
metrics["seeds"] = len(test)
write_json(snakemake.output[0], metrics)
logging.info("%s", metrics)
