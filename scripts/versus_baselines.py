"""The VAE chosen on validation against each reconstruction yardstick, on the same test
faces: the paired difference of per-face test PSNR, over the chosen grid point's seeds and
the near-copy groups of the test faces (facevae.baselines.versus_yardsticks)."""

import logging

import numpy as np

from facevae.baselines import versus_yardsticks
from facevae.files import load_npz, read_json, write_json
from facevae.stats import part_groups

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, inputs = snakemake.params, snakemake.input
best = read_json(inputs.best)["name"]
first = params.names.index(best) * len(params.seeds)  # test scores are grid point-major
ours = np.stack([load_npz(path)["psnr"] for path in inputs.test[first : first + len(params.seeds)]])
groups = part_groups(load_npz(inputs.groups), load_npz(inputs.split), "test")
versus = versus_yardsticks(ours, load_npz(inputs.yardsticks), **params.bootstrap, groups=groups)
write_json(snakemake.output[0], versus | {"vae": best})
logging.info("%s: %s", best, versus)
