"""LaTeX tables of chapter 3's restoration results: the latent search against chapter 2's
restorers, the share of faces whose predicted gender or ethnicity a restorer changes, and each
VAE against a blur and PCA at its PSNR (facevae.tables.restore_search_table,
attribute_change_table, attribute_control_table)."""

import logging

from facevae.files import read_json, write_text
from facevae.tables import attribute_change_table, attribute_control_table, restore_search_table

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, inputs = snakemake.params, snakemake.input
search, restore = read_json(inputs.search), read_json(inputs.restore)
recipe = read_json(inputs.recipe_search)
table = restore_search_table(search, restore, params.noise_sigmas, recipe)
write_text(snakemake.output.search, table)
attributes = read_json(inputs.attributes)
best = read_json(inputs.best)["name"]
write_text(snakemake.output.attributes, attribute_change_table(attributes, params.points, best))
write_text(snakemake.output.controls, attribute_control_table(attributes, params.points, best))
logging.info("%d restorations", len(attributes["methods"]))
