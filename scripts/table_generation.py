"""LaTeX tables of chapter 3's generation measures per VAE and prior on the first seed
(facevae.tables.generation_table), and of each learned mixture against its standard-prior
twin over every seed (prior_twins_table)."""

import logging

from facevae.files import read_json, write_text
from facevae.tables import generation_table, prior_twins_table

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, inputs = snakemake.params, snakemake.input
metrics = {name: read_json(path) for name, path in zip(params.names, inputs.metrics, strict=True)}
write_text(snakemake.output.generation, generation_table(metrics, params.points))
twins = read_json(inputs.twins)
write_text(snakemake.output.twins, prior_twins_table(twins, params.points))
logging.info("%d models, %d learned mixtures with a twin", len(metrics), len(twins))
