"""Reconstruct one split part with one VAE (one grid point, one seed): PSNR, SSIM and MSE of
every face. On the validation part (validate_vae) their means choose the grid point; on the
test part (evaluate_vae) the per-face scores, and the first faces' reconstructions for the
figures, go to an .npz that vae_metrics summarises over seeds."""

import logging

from facevae.files import load_npz, save_npz, write_json
from facevae.metrics import image_metrics, summarise
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
means = summarise(per_image, prefix=f"{part}_")
if part == "val":  # the means choose; the per-face scores pair the recipe's ablation
    write_json(snakemake.output.scores, means)
    save_npz(snakemake.output.per_face, **per_image)
else:
    keep = params.n_examples  # the first test faces, the same for every model
    save_npz(snakemake.output.scores, index=split["test"][:keep], recon=recon[:keep], **per_image)
logging.info("%s", means)
