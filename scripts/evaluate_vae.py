"""Reconstruct one split part with one VAE: PSNR, SSIM and MSE per face. On the validation
part (validate_vae) the scores choose the best model; on the test part (evaluate_vae) they
are the final numbers, with a few examples kept for the figures."""

import logging

from facevae.files import load_npz, read_json, save_npz, write_json
from facevae.metrics import image_metrics, mean_intervals, summarise
from facevae.runtime import autocast, image_tensor, start_job
from facevae.vae import load_vae, reconstruct_all

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, part = snakemake.params, snakemake.params.part
job = start_job(snakemake.threads, 0, params.device, params.precision, params.gpu_locks)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
model = load_vae(snakemake.input.model, job.device)
x = image_tensor(faces["images"][split[part]], job.device)
with autocast(job.device, job.precision):
    recon = reconstruct_all(model, x, params.eval_batch_size)
per_image = image_metrics(x.squeeze(1).cpu().numpy(), recon, **params.image_metrics)

metrics = summarise(per_image, prefix=f"{part}_")
metrics |= mean_intervals(per_image, prefix=f"{part}_", **params.bootstrap)
if part == "test":
    history = read_json(snakemake.input.history)
    metrics |= {
        "parameters": history["parameters"],
        "train_seconds": sum(history["epoch_seconds"]),
        "epochs": len(history["epoch_seconds"]),  # the model is the one after its last epoch
    }
write_json(snakemake.output.metrics, metrics)
if part == "test":
    keep = params.n_examples  # the first test faces, the same for every model
    examples = {"index": split["test"][:keep], "recon": recon[:keep]}
    save_npz(snakemake.output.examples, **examples, **per_image)
logging.info("%s", metrics)
