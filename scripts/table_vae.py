"""LaTeX table of the VAE grid's test metrics below the yardsticks, the model chosen on the
validation split marked (facevae.tables.vae_table)."""

import logging

from facevae.files import read_json, write_text
from facevae.tables import vae_table

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
best = read_json(snakemake.input.best)["name"]
baselines = read_json(snakemake.input.baselines)
metrics = {
    name: read_json(path) for name, path in zip(params.names, snakemake.input.metrics, strict=True)
}
write_text(snakemake.output[0], vae_table(metrics, params.points, best, baselines))
logging.info("%d baselines, %d models, chosen %s", len(baselines), len(metrics), best)
