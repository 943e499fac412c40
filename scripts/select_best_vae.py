"""Choose the grid point that later chapters use, by its mean validation score over seeds,
and copy its first seed's model to results/vae/best/model.pt, the one model restoration and
interpolation read. No test result is an input of this rule."""

import logging

from facevae.files import copy_file, read_json, write_json
from facevae.metrics import choose_best, seed_means

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
scores = iter(read_json(path) for path in snakemake.input.scores)  # grid point-major order
means = seed_means({name: [next(scores) for _ in params.seeds] for name in params.names})
best = choose_best(means, params.metric, part="val")
choice = {"name": best, "metric": params.metric, "seed": params.seeds[0]}
choice |= params.points[best] | means[best]
copy_file(snakemake.input.models[params.names.index(best)], snakemake.output.model)
write_json(snakemake.output.choice, choice)
logging.info("%s", choice)
