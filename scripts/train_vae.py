"""Train one beta-VAE of the grid; resumes from results/vae/<name>/resume.pt after a kill."""

import json
import logging
from pathlib import Path

import torch

from facevae.data import load_npz
from facevae.device import (
    image_tensor,
    keep_freed_memory,
    pick_device,
    prepare,
    resolve_precision,
)
from facevae.models import checkpoint, count_parameters
from facevae.vae import build_vae
from facevae.vae_train import VAETrainConfig, train_vae

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
torch.set_num_threads(snakemake.threads)
torch.manual_seed(params.train["seed"])
device = pick_device(params.device, params.gpu_locks)
if device.type == "cpu":
    keep_freed_memory()  # large CPU tensors are reused, not faulted in every step

faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
x_train = image_tensor(faces["images"][split["train"]], device)
x_val = image_tensor(faces["images"][split["val"]], device)

model = prepare(build_vae(**params.model), device)
cfg = VAETrainConfig(**params.train, precision=resolve_precision(params.precision, device))
logging.info(
    "VAE %s on %s: %d parameters, beta %g, %s reconstruction, %d train faces",
    snakemake.wildcards.vae,
    device,
    count_parameters(model),
    cfg.beta,
    cfg.recon,
    len(x_train),
)

# Not a declared output, so Snakemake keeps it when a job is killed mid-run.
resume = Path(snakemake.output.model).with_name("resume.pt")
history = train_vae(model, x_train, x_val, cfg, resume_path=resume)
history.update(parameters=count_parameters(model), device=str(device), precision=cfg.precision)
torch.save(checkpoint(model, epoch=cfg.epochs, train_config=params.train), snakemake.output.model)
with open(snakemake.output.history, "w") as handle:
    json.dump(history, handle)
resume.unlink()
