"""LaTeX tables of the restoration chapter: every method on every noise level, and on the
erased block (facevae.tables.restore_noise_table, restore_erase_table)."""

import logging

from facevae.files import read_json, write_text
from facevae.tables import restore_erase_table, restore_noise_table

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
metrics = read_json(snakemake.input.metrics)
sigmas = snakemake.params.noise_sigmas
write_text(snakemake.output.noise, restore_noise_table(metrics, sigmas))
write_text(snakemake.output.erase, restore_erase_table(metrics))
logging.info("restoration tables: %d noise levels and the erased block", len(sigmas))
