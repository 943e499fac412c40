"""LaTeX tables of chapter 3's improved VAE: against the chapter-2 model and PCA on the test
faces, and its ablation on the validation faces (facevae.tables.vae_recipe_table,
vae_ablation_table)."""

import logging

from facevae.files import read_json, write_text
from facevae.tables import vae_ablation_table, vae_recipe_table

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
recipe = read_json(snakemake.input.recipe)
write_text(snakemake.output.recipe, vae_recipe_table(recipe, params.points, params.twin))
write_text(snakemake.output.ablation, vae_ablation_table(recipe))
logging.info("%d ablation rows", len(recipe["ablation"]))
