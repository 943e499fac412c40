"""Train one beta-VAE of the grid; resumes from results/vae/<name>/resume.pt after a kill."""

import logging
import sys
from pathlib import Path

from facevae.files import Busy, digest, exclusive, load_npz, save_torch, write_json
from facevae.layers import checkpoint, count_parameters
from facevae.progress import Progress, status_path
from facevae.runtime import image_tensor, prepare, start_job
from facevae.vae import build_vae
from facevae.vae_train import VAETrainConfig, train_vae

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, folder = snakemake.params, Path(snakemake.output.model).parent
job = start_job(
    snakemake.threads, params.train["seed"], params.device, params.precision, params.gpu_locks
)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
train_images, val_images = faces["images"][split["train"]], faces["images"][split["val"]]
model = prepare(build_vae(**params.model), job.device)
cfg = VAETrainConfig(**params.train, precision=job.precision)
logging.info(
    "VAE latent %d, beta %g on %s: %d parameters, %s reconstruction, %d train faces",
    params.model["latent"],
    cfg.beta,
    job.device,
    count_parameters(model),
    cfg.recon,
    len(train_images),
)

# How far the job is: rate and time left in the log, one line per epoch on the console, and
# a status file beside the log for `python -m facevae.status`.
progress = Progress(
    f"train_vae {snakemake.wildcards.vae} seed{snakemake.wildcards.seed}",
    epochs=cfg.epochs,
    batches=-(-len(train_images) // cfg.batch_size),
    images=len(train_images),
    status=status_path(snakemake.log[0]),
)

# resume.pt is not a declared output, so Snakemake keeps it when a job is killed mid-run.
# The lock keeps a second trainer (e.g. one orphaned by a killed Snakemake) out of it.
resume = folder / "resume.pt"
try:
    with exclusive(folder / ".train.lock"):
        history = train_vae(
            model,
            image_tensor(train_images, job.device),
            image_tensor(val_images, job.device),
            cfg,
            resume_path=resume,
            data_digest=digest(train_images, val_images),
            progress=progress,
        )
        history.update(parameters=count_parameters(model), **job.describe())
        save_torch(
            snakemake.output.model, checkpoint(model, epoch=cfg.epochs, train_config=params.train)
        )
        write_json(snakemake.output.history, history, indent=None)
        resume.unlink(missing_ok=True)
except Busy as err:
    logging.error("%s", err)
    print(f"ERROR: {err}", file=sys.stderr)
    sys.exit(1)
