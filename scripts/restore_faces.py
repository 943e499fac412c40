"""Corrupt every test face (noise at each sigma, an erased rectangle), restore it with the best
VAE and the classical methods, and score each restoration (PSNR, SSIM)."""

import json
import logging

import numpy as np
import torch

from facevae.data import load_npz, save_npz
from facevae.device import pick_device
from facevae.metrics import image_metrics
from facevae.restore import (
    DENOISERS,
    add_noise,
    erase,
    inpaint_biharmonic,
    vae_inpaint,
    vae_restore,
)
from facevae.vae import load_vae

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
torch.set_num_threads(snakemake.threads)
with open(snakemake.input.best) as handle:
    best = json.load(handle)["name"]
model = load_vae(
    snakemake.input.models[params.names.index(best)], pick_device(params.device, params.gpu_locks)
)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
clean = faces["images"][split["test"]].astype(np.float32) / 255
rng = np.random.default_rng(params.seed)
DISPLAY = {
    "vae": "the VAE",
    "mean_filter": "the mean filter",
    "median": "the median filter",
    "gaussian": "Gaussian smoothing",
    "tv": "total-variation denoising",
    "nl_means": "non-local means",
    "wavelet": "wavelet shrinkage",
    "biharmonic": "biharmonic inpainting",
}
keep = params.n_examples  # the first test faces are kept for figure 2.6


def score(restored):
    per_image = image_metrics(clean, restored)
    return {"psnr": float(per_image["psnr"].mean()), "ssim": float(per_image["ssim"].mean())}


metrics, examples = {}, {"clean": clean[:keep]}
for sigma in params.noise_sigmas:
    noisy = add_noise(clean, sigma, rng)
    outputs = {"corrupted": noisy, "vae": vae_restore(model, noisy)}
    outputs |= {name: DENOISERS[name](noisy) for name in params.denoisers}
    metrics[f"noise_s{sigma:g}"] = {name: score(out) for name, out in outputs.items()}
    examples |= {f"noise_s{sigma:g}.{name}": out[:keep] for name, out in outputs.items()}
    logging.info("sigma %g: %s", sigma, metrics[f"noise_s{sigma:g}"])

erased, mask = erase(clean, params.erase_size, params.erase_position, rng)
outputs = {
    "corrupted": erased,
    "vae": vae_inpaint(model, erased, mask, params.inpaint_iterations),
    "biharmonic": inpaint_biharmonic(erased, mask),
}
metrics["erase"] = {name: score(out) for name, out in outputs.items()}
examples |= {f"erase.{name}": out[:keep] for name, out in outputs.items()}
logging.info("erase: %s", metrics["erase"])

# The interface of results/summary.json also names the first sigma's scores restore.noise.*.
metrics["noise"] = metrics[f"noise_s{params.noise_sigmas[0]:g}"]
metrics["vae_model"] = best


def winner(scores):
    """The restorer (not the corrupted input) with the best mean PSNR, for the text."""
    best = max((m for m in scores if m != "corrupted"), key=lambda m: scores[m]["psnr"])
    return DISPLAY.get(best, best)


metrics["winner"] = {c: winner(s) for c, s in metrics.items() if isinstance(s, dict)}
with open(snakemake.output.metrics, "w") as handle:
    json.dump(metrics, handle, indent=2)
save_npz(snakemake.output.examples, **examples)
