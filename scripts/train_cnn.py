"""Train the CNN of one task (gender, ethnicity or age), the paper's or a chapter-3 variant,
or one multi-task CNN for several, and predict the validation and test splits."""

import logging

import torch

from facevae.cnn import build_cnn, build_multitask
from facevae.cnn_train import TrainConfig, predict, prediction_arrays, target_tensor, train_cnn
from facevae.files import load_npz, save_npz, save_torch, write_json
from facevae.layers import checkpoint, count_parameters
from facevae.progress import Progress, status_path
from facevae.runtime import image_tensor, prepare, start_job

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
# One task's network (wildcard `task`), or one network for several (params.tasks: a
# multi-task variant of chapter 3, whose predictions go to one file, split per task later).
multitask = not hasattr(snakemake.wildcards, "task")
tasks = list(params.tasks) if multitask else [snakemake.wildcards.task]
name = "multitask" if multitask else tasks[0]
job = start_job(
    snakemake.threads, params.train["seed"], params.device, params.precision, params.gpu_locks
)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
x = {p: image_tensor(faces["images"][split[p]], job.device) for p in ("train", "val", "test")}
y = {
    part: {t: target_tensor(t, faces[t][split[part]], job.device) for t in tasks}
    for part in ("train", "val")
}

if multitask:
    model = prepare(build_multitask(tasks, **params.model), job.device)
    age_head = model.heads["age"] if "age" in tasks else None
else:
    model = prepare(build_cnn(name, **params.model), job.device)
    age_head = model.head if name == "age" else None
if age_head is not None:  # start the regressor at the mean training age instead of 0 years
    torch.nn.init.constant_(age_head[-1].bias, y["train"]["age"].mean().item())
logging.info(
    "%s on %s: %d parameters, %d train faces",
    name,
    job.device,
    count_parameters(model),
    len(x["train"]),
)

cfg = TrainConfig(**params.train, precision=job.precision)
# Rate and time left in the log, one line per epoch on the console, a status file beside the
# log for `python -m facevae.status`.
variant = getattr(snakemake.wildcards, "variant", None)  # chapter 3; None for the paper model
progress = Progress(
    f"train_cnn {variant + ' ' if variant else ''}{name} seed{snakemake.wildcards.seed}",
    epochs=cfg.epochs,
    batches=-(-len(x["train"]) // cfg.batch_size),
    images=len(x["train"]),
    status=status_path(snakemake.log[0]),
)
train_y, val_y = (y[p] if multitask else y[p][name] for p in ("train", "val"))
task = tuple(tasks) if multitask else name
history = train_cnn(model, task, (x["train"], train_y), (x["val"], val_y), cfg, progress)
history.update(parameters=count_parameters(model), **job.describe())
save_torch(
    snakemake.output.model,
    checkpoint(model, task=name, epoch=cfg.epochs, train_config=params.train),
)
write_json(snakemake.output.history, history, indent=None)

# Predictions on the validation faces (what chapter 3 chooses by) and on the test faces.
combined = {}
for part in ("val", "test"):
    outputs = predict(model, x[part], cfg.eval_batch_size, cfg.precision)
    for t in tasks:
        arrays = prediction_arrays(
            (outputs[t] if multitask else outputs).numpy(), split[part], faces[t][split[part]]
        )
        if multitask:
            combined |= {f"{part}.{t}.{key}": value for key, value in arrays.items()}
        else:
            save_npz(snakemake.output[f"{part}_predictions"], **arrays)
if multitask:
    save_npz(snakemake.output.predictions, **combined)
logging.info("predictions written (%d val, %d test faces)", len(x["val"]), len(x["test"]))
