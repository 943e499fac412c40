"""Train one beta-VAE of the grid; resumes from results/vae/<name>/resume.pt after a kill."""

import logging
import sys
from pathlib import Path

from facevae.files import Busy, load_npz, save_torch, write_json
from facevae.layers import checkpoint
from facevae.progress import status_path
from facevae.runtime import start_job
from facevae.vae_train import resume_slot, train_on_split

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, wildcards, output = snakemake.params, snakemake.wildcards, snakemake.output
job = start_job(
    snakemake.threads, params.train["seed"], params.device, params.precision, params.gpu_locks
)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
label = f"train_vae {wildcards.vae} seed{wildcards.seed}"
status = status_path(snakemake.log[0])  # the job's progress, for `python -m facevae.status`
try:
    # The outputs are written while the folder is held; the resume file goes after them.
    with resume_slot(Path(output.model).parent) as resume:
        model, history = train_on_split(
            faces, split, params.model, params.train, job, resume, label, status
        )
        epochs = params.train["epochs"]
        save_torch(output.model, checkpoint(model, epoch=epochs, train_config=params.train))
        write_json(output.history, history | job.timing(), indent=None)
except Busy as err:
    logging.error("%s", err)
    print(f"ERROR: {err}", file=sys.stderr)
    sys.exit(1)
