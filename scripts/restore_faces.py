"""Corrupt every test face, restore it with the best VAE and the classical methods, and score
each restoration (the protocol is facevae.restore.run_protocol)."""

import logging

import numpy as np

from facevae.files import load_npz, save_npz, write_json
from facevae.restore import run_protocol
from facevae.runtime import autocast, start_job
from facevae.vae import load_vae

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
job = start_job(snakemake.threads, params.seed, params.device, params.precision, params.gpu_locks)
model = load_vae(snakemake.input.model, job.device)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
clean = faces["images"][split["test"]].astype(np.float32) / 255

with autocast(job.device, job.precision):
    metrics, examples = run_protocol(model, clean, **params.protocol)
for corruption, scores in metrics.items():
    logging.info("%s: %s", corruption, scores)
write_json(snakemake.output.metrics, metrics)
save_npz(snakemake.output.examples, **examples)
