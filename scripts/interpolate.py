"""Figure 2.7's data: decode a square grid of latent codes spanned by four sampled corners."""

import json

import numpy as np
import torch

from facevae.data import load_npz, save_npz
from facevae.device import pick_device
from facevae.restore import decode_grid, interpolation_grid, sample_latent_corners
from facevae.vae import load_vae

params = snakemake.params
torch.set_num_threads(snakemake.threads)
with open(snakemake.input.best) as handle:
    best = json.load(handle)["name"]
device = pick_device(params.device, params.gpu_locks)
model = load_vae(snakemake.input.models[params.names.index(best)], device)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
train = faces["images"][split["train"]].astype(np.float32) / 255

corners = sample_latent_corners(model, train, np.random.default_rng(params.seed))
grid = interpolation_grid(corners, params.steps)
save_npz(
    snakemake.output[0],
    images=decode_grid(model, grid),
    corners=corners.cpu().numpy(),
    model=np.array(best),
)
with open(snakemake.log[0], "w") as log:
    print(f"{params.steps}x{params.steps} grid decoded by {best}", file=log)
