"""Chapter 3: each learned-mixture VAE against the standard-prior VAE of the same latent size
and beta, seed by seed and face by face: the mean difference of their likelihood bounds on
the same test faces, its two-level interval (seeds, then near-copy groups) and its split into
reconstruction, decoder-variance constant, KL and importance-weighting gap
(facevae.generation.compare_twins)."""

import logging

from facevae.files import load_npz, write_json
from facevae.generation import compare_twins
from facevae.stats import part_groups

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, inputs = snakemake.params, snakemake.input
# Each generation file by (VAE, seed); the rule lists them in the order of params.runs.
runs = {tuple(run): load_npz(path) for run, path in zip(params.runs, inputs.runs, strict=True)}
groups = part_groups(load_npz(inputs.groups), load_npz(inputs.split), "test")
result = {}
for name, twin in params.pairs.items():
    mixture = {seed: runs[(name, seed)] for seed in params.seeds}
    twins = {seed: runs[(twin, seed)] for seed in params.seeds}
    result[name] = {"twin": twin, "k": params.k} | compare_twins(
        mixture, twins, groups, **params.bootstrap
    )
    logging.info("%s - %s: %s", name, twin, result[name])
write_json(snakemake.output[0], result)
