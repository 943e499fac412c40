"""Chapter 3: restore the damaged test faces of the restoration protocol (the same seed, so
the same damage) by searching the best VAE's latent space (facevae.restore.latent_search),
and score them as chapter 2 scores its restorers. The search's rate is chosen per damage on
validation faces damaged the same way (another seed); the test faces are searched once."""

import logging

import numpy as np

from facevae.files import load_npz, save_npz, write_json
from facevae.generation import decoder_variance
from facevae.metrics import mean_image_metrics
from facevae.restore import corrupt, latent_search, vae_inpaint
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
variance = decoder_variance(
    model, image_tensor(faces["images"][split["val"]], job.device), precision=job.precision
)


def damage(images, seed):
    clean = images.astype(np.float32) / 255
    damaged, mask = corrupt(
        clean, seed, protocol["noise_sigmas"], protocol["erase_size"], protocol["erase_position"]
    )
    return clean, damaged, mask


def searcher(key, images, mask):
    """The latent search of one damage, as a function of its rate. Inpainting starts from
    chapter 2's encode-decode passes (run once here), whose filled-in faces encode to a far
    better code than faces with a hole."""
    erased = key == "erase"
    # What separates a decoded face from the damaged one, per pixel: the decoder's own
    # variance, plus the noise's when denoising.
    sigma = 0.0 if erased else protocol["noise_sigmas"][list(damaged).index(key)]
    with autocast(job.device, job.precision):
        start = vae_inpaint(model, images, mask, protocol["inpaint_iterations"]) if erased else None

    def search(lr):
        with autocast(job.device, job.precision):
            return latent_search(
                model,
                images,
                variance + sigma**2,
                mask=mask if erased else None,
                steps=params.steps,
                lr=lr,
                start=start,
            )

    return search


def score(clean, restored, region=None, bootstrap=protocol["bootstrap"]):
    return mean_image_metrics(
        clean, restored, region, bootstrap=bootstrap, **protocol["image_metrics"]
    )


val_clean, val_damaged, val_mask = damage(
    faces["images"][split["val"]][: params.validation_faces], protocol["seed"] + 1
)
clean, damaged, mask = damage(faces["images"][split["test"]], protocol["seed"])
metrics = {"decoder_variance": variance, "steps": params.steps, "rates": params.rates}
restored = {}
for key, images in damaged.items():
    erased = key == "erase"
    # The rate with the best validation PSNR (of the erased region, when inpainting).
    validation, search = {}, searcher(key, val_damaged[key], val_mask)
    for lr in params.rates:
        faces_out, _ = search(lr)
        validation[lr] = score(val_clean, faces_out, val_mask if erased else None, None)["psnr"]
        logging.info("%s: rate %g, validation psnr %.3f", key, lr, validation[lr])
    lr = max(validation, key=validation.get)
    restored[key], trace = searcher(key, images, mask)(lr)
    metrics[key] = score(clean, restored[key]) | {
        "rate": lr,
        "validation_psnr": [validation[r] for r in params.rates],
        "objective": trace.tolist(),
    }
    if erased:
        metrics[key] |= {f"region_{k}": v for k, v in score(clean, restored[key], mask).items()}
    logging.info(
        "%s: rate %g, test psnr %.2f, objective %.1f -> %.1f",
        key,
        lr,
        metrics[key]["psnr"],
        trace[0],
        trace[-1],
    )
write_json(snakemake.output.metrics, metrics)
# Every restored face in grey levels (for the attribute check) and the first few as floats.
save_npz(
    snakemake.output.restored,
    **{key: np.round(images * 255).astype(np.uint8) for key, images in restored.items()},
)
