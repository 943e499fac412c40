"""Test metrics of one task's CNNs over all their seeds: the mean over seeds, its spread and
a two-level bootstrap interval (seeds, then near-copy groups of the test faces)."""

import logging

from facevae.data import ETHNICITY_KEYS, GENDER_KEYS
from facevae.files import load_npz, read_json, write_json
from facevae.metrics import cnn_metrics

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
task, given = snakemake.wildcards.task, snakemake.input
classes = None if task == "age" else GENDER_KEYS if task == "gender" else ETHNICITY_KEYS
test = [load_npz(path) for path in given.predictions]
val = [load_npz(path) for path in given.val_predictions]
histories = [read_json(path) for path in given.histories]
groups = load_npz(given.groups)["group"][test[0]["index"]]  # of the faces scored, in order
metrics = cnn_metrics(test, val, histories, classes, **snakemake.params.bootstrap, groups=groups)
write_json(snakemake.output[0], metrics)
logging.info("%s", metrics)
