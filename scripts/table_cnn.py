"""LaTeX table of chapter 1: every task's test metrics beside the original's published
numbers (facevae.tables.cnn_table)."""

import logging

from facevae.files import read_json, write_text
from facevae.tables import cnn_table

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
metrics = {task: read_json(path) for task, path in zip(params.tasks, snakemake.input.metrics)}
write_text(snakemake.output[0], cnn_table(metrics, params.paper))
logging.info("%d tasks", len(metrics))
