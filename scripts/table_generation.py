"""LaTeX table of chapter 3's generation measures per VAE and prior
(facevae.tables.generation_table)."""

import logging

from facevae.files import read_json, write_text
from facevae.tables import generation_table

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
metrics = {
    name: read_json(path) for name, path in zip(params.names, snakemake.input.metrics, strict=True)
}
write_text(snakemake.output[0], generation_table(metrics, params.points))
logging.info("%d models", len(metrics))
