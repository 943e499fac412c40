"""Figure 2.7's data: decode a square grid of latent codes spanned by four sampled corners."""

import logging

import numpy as np

from facevae.files import load_npz, save_npz
from facevae.runtime import autocast, start_job
from facevae.vae import decode_grid, interpolation_grid, load_vae, sample_latent_corners

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
job = start_job(snakemake.threads, params.seed, params.device, params.precision, params.gpu_locks)
model = load_vae(snakemake.input.model, job.device)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
train = faces["images"][split["train"]].astype(np.float32) / 255

with autocast(job.device, job.precision):
    corners = sample_latent_corners(model, train, np.random.default_rng(params.seed))
    grid = interpolation_grid(corners, params.steps)
    images = decode_grid(model, grid)
save_npz(snakemake.output[0], images=images, corners=corners.cpu().numpy())
logging.info("%dx%d grid decoded on %s", params.steps, params.steps, job.device)
