"""LaTeX tables of chapter 3's CNN variants: the imbalance remedies against the paper model,
the improved recipe against the paper model, the ablation of the recipe, and the recipe's
seeds as an ensemble (facevae.tables.imbalance_table, improved_table, ablation_table,
ensemble_table)."""

import logging

from facevae.files import read_json, write_text
from facevae.tables import ablation_table, ensemble_table, imbalance_table, improved_table

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, inputs, output = snakemake.params, snakemake.input, snakemake.output
paper = {task: read_json(path) for task, path in zip(params.tasks, inputs.paper)}
variants = {}
for (name, task), path in zip(params.variant_tasks, inputs.variants):
    variants.setdefault(name, {})[task] = read_json(path)
write_text(output.imbalance, imbalance_table(paper["ethnicity"], variants, params.imbalance))
write_text(output.improved, improved_table(paper, variants[params.improved]))
write_text(output.ablation, ablation_table(variants, params.improved, params.ablation))
write_text(output.ensemble, ensemble_table(variants[params.improved], read_json(inputs.ensemble)))
logging.info("tables of %d variants written", len(variants))
