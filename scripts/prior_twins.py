"""Chapter 3: each learned-mixture VAE against the standard-prior VAE of the same latent size
and beta, face by face: the mean difference of their likelihood bounds on the same test
faces, with a paired bootstrap interval (what the faces share cancels out)."""

import logging

import numpy as np

from facevae.files import load_npz, write_json
from facevae.metrics import mean_intervals

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, inputs = snakemake.params, snakemake.input
result = {}
for (name, twin), mine, theirs in zip(
    params.pairs.items(), inputs.mixtures, inputs.twins, strict=True
):
    difference = load_npz(mine)["bound_own"].astype(np.float64)
    difference -= load_npz(theirs)["bound_own"]
    result[name] = {
        "twin": twin,
        "k": params.k,
        "difference": float(difference.mean()),
        **mean_intervals({"difference": difference}, prefix="", **params.bootstrap),
    }
    logging.info("%s - %s: %s", name, twin, result[name])
write_json(snakemake.output[0], result)
