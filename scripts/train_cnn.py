"""Train the CNN of one task (gender, ethnicity or age), the paper's or a chapter-3 variant,
or one multi-task CNN for several, and predict the validation and test splits."""

import logging
from pathlib import Path

from facevae.cnn_train import train_and_predict
from facevae.files import exclusive, load_npz, save_npz, save_torch, write_json
from facevae.layers import checkpoint
from facevae.names import pack_predictions
from facevae.progress import status_path
from facevae.runtime import start_job

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, wildcards, output = snakemake.params, snakemake.wildcards, snakemake.output
# One network per task (wildcard `task`) or, for a multi-task variant, one for params.tasks.
multitask = not hasattr(wildcards, "task")
task = tuple(params.tasks) if multitask else wildcards.task
name = "multitask" if multitask else task
variant = getattr(wildcards, "variant", None)  # chapter 3; None for the paper model
label = f"train_cnn {variant + ' ' if variant else ''}{name} seed{wildcards.seed}"
job = start_job(
    snakemake.threads, params.train["seed"], params.device, params.precision, params.gpu_locks
)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
# One trainer per folder: an orphan of a killed run still training here stops this one
# (facevae.files.Busy names its process) instead of both writing the same files.
with exclusive(Path(output.model).parent / ".train.lock"):
    model, history, predictions = train_and_predict(
        faces, split, task, params.model, params.train, job, label, status_path(snakemake.log[0])
    )
    epochs = params.train["epochs"]
    save_torch(output.model, checkpoint(model, task=name, epoch=epochs, train_config=params.train))
    write_json(output.history, history | job.timing(), indent=None)
    if multitask:
        save_npz(output.predictions, **pack_predictions(predictions))
    else:
        for part, by_task in predictions.items():
            save_npz(output[f"{part}_predictions"], **by_task[task])
logging.info("predictions written (%d val, %d test faces)", len(split["val"]), len(split["test"]))
