"""Chapter 3's improved VAE against the chapter-2 model of the same latent size and beta (same
seeds, same test faces), against PCA with as many components as its code, and its ablation
on the validation faces, each with its CPU minutes (facevae.vae_compare.compare_recipe)."""

import logging

import numpy as np

from facevae.files import load_npz, read_json, split_by, write_json
from facevae.stats import part_groups
from facevae.vae_compare import compare_recipe

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, inputs = snakemake.params, snakemake.input
scores = lambda paths: [load_npz(path)["psnr"] for path in paths]  # noqa: E731
# CPU minutes of a training run, from its history (facevae.runtime.Job.timing)
cpu = lambda paths: np.mean([read_json(p)["job_cpu_seconds"] for p in paths]) / 60  # noqa: E731
variants = split_by(inputs.variants, params.ablation)
ablation = {name: (scores(paths), scores(inputs.full)) for name, paths in variants.items()}
spent = {k: cpu(v) for k, v in split_by(inputs.variant_histories, params.ablation).items()}
spent |= {"improved": cpu(inputs.improved_histories), "paper": cpu(inputs.paper_histories)}
groups, split = load_npz(inputs.groups), load_npz(inputs.split)
metrics = compare_recipe(
    scores(inputs.improved),
    scores(inputs.paper),
    load_npz(inputs.yardsticks).get(f"pca{params.latent}"),
    ablation,
    spent,
    groups=part_groups(groups, split, "test"),
    val_groups=part_groups(groups, split, "val"),
    **params.bootstrap,
)
write_json(snakemake.output[0], metrics | {"seeds": params.seeds, "yardstick": params.latent})
logging.info("%s", metrics)
