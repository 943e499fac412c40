"""Chapter 3: restore the damaged test faces of the restoration protocol (the same seed, so
the same damage) by searching the best VAE's latent space (facevae.restore.latent_search),
and score them as chapter 2 scores its restorers."""

import logging

import numpy as np

from facevae.files import load_npz, save_npz, write_json
from facevae.generation import decoder_variance
from facevae.metrics import mean_image_metrics
from facevae.restore import corrupt, latent_search
from facevae.runtime import autocast, image_tensor, start_job
from facevae.vae import load_vae

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
protocol = params.protocol
job = start_job(
    snakemake.threads, protocol["seed"], params.device, params.precision, params.gpu_locks
)
model = load_vae(snakemake.input.model, job.device)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
clean = faces["images"][split["test"]].astype(np.float32) / 255
variance = decoder_variance(
    model, image_tensor(faces["images"][split["val"]], job.device), precision=job.precision
)
damaged, mask = corrupt(
    clean,
    protocol["seed"],
    protocol["noise_sigmas"],
    protocol["erase_size"],
    protocol["erase_position"],
)


def score(restored, region=None):
    return mean_image_metrics(
        clean, restored, region, bootstrap=protocol["bootstrap"], **protocol["image_metrics"]
    )


metrics = {"decoder_variance": variance, "steps": params.steps, "lr": params.lr}
restored = {}
for key, images in damaged.items():
    erased = key == "erase"
    # What separates a decoded face from the damaged one, per pixel: the decoder's own
    # variance, plus the noise's when denoising.
    sigma = 0.0 if erased else protocol["noise_sigmas"][list(damaged).index(key)]
    with autocast(job.device, job.precision):
        restored[key], trace = latent_search(
            model,
            images,
            variance + sigma**2,
            mask=mask if erased else None,
            steps=params.steps,
            lr=params.lr,
        )
    metrics[key] = score(restored[key]) | {"objective": trace.tolist()}
    if erased:
        metrics[key] |= {f"region_{k}": v for k, v in score(restored[key], mask).items()}
    logging.info(
        "%s: psnr %.2f, objective %.1f -> %.1f", key, metrics[key]["psnr"], trace[0], trace[-1]
    )
write_json(snakemake.output.metrics, metrics)
# Every restored face in grey levels (for the attribute check) and the first few as floats.
save_npz(
    snakemake.output.restored,
    **{key: np.round(images * 255).astype(np.uint8) for key, images in restored.items()},
)
