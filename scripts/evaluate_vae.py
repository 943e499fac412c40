"""Reconstruct the test split with one VAE: PSNR, SSIM and MSE per face, and a few examples."""

import logging

import torch

from facevae.files import load_npz, read_json, save_npz, write_json
from facevae.metrics import image_metrics, summarise
from facevae.runtime import autocast, image_tensor, start_job
from facevae.vae import load_vae

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
job = start_job(snakemake.threads, 0, params.device, params.precision, params.gpu_locks)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
model = load_vae(snakemake.input.model, job.device)
x = image_tensor(faces["images"][split["test"]], job.device)
batch = params.eval_batch_size
with autocast(job.device, job.precision):
    recon = [model.reconstruct(x[i : i + batch]).float().cpu() for i in range(0, len(x), batch)]
recon = torch.cat(recon).squeeze(1).numpy()

per_image = image_metrics(x.squeeze(1).cpu().numpy(), recon)
history = read_json(snakemake.input.history)
metrics = summarise(per_image) | {
    "parameters": history["parameters"],
    "train_seconds": sum(history["epoch_seconds"]),
    "epochs": len(history["epoch_seconds"]),
    "val_recon": history["val_recon"][-1],
    "val_kl": history["val_kl"][-1],
}
write_json(snakemake.output.metrics, metrics)
keep = params.n_examples  # the first test faces, the same for every model
save_npz(
    snakemake.output.examples,
    index=split["test"][:keep],
    recon=recon[:keep],
    **{name: values for name, values in per_image.items()},
)
logging.info("%s", metrics)
