"""Choose the VAE that later chapters use, by the configured metric on the validation split,
and copy it to results/vae/best/model.pt, the one model restoration and interpolation read."""

import logging

from facevae.files import copy_file, read_json, write_json
from facevae.metrics import choose_best

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
metrics = {name: read_json(path) for name, path in zip(params.names, snakemake.input.metrics)}
best = choose_best(metrics, params.metric, part="val")
scores = {k: v for k, v in metrics[best].items() if k.startswith("val_")}
choice = {"name": best, "metric": params.metric} | params.points[best] | scores
copy_file(snakemake.input.models[params.names.index(best)], snakemake.output.model)
write_json(snakemake.output.choice, choice)
logging.info("%s", choice)
