"""Train the CNN of one task (gender, ethnicity or age), the paper's or a chapter-3 variant,
and predict the validation and test splits."""

import logging

import torch

from facevae.cnn import build_cnn
from facevae.cnn_train import TrainConfig, predict, target_tensor, train_cnn
from facevae.files import load_npz, save_npz, save_torch, write_json
from facevae.layers import checkpoint, count_parameters
from facevae.progress import Progress, status_path
from facevae.runtime import image_tensor, prepare, start_job

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
task, params = snakemake.wildcards.task, snakemake.params
job = start_job(
    snakemake.threads, params.train["seed"], params.device, params.precision, params.gpu_locks
)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
x = {p: image_tensor(faces["images"][split[p]], job.device) for p in ("train", "val", "test")}
y = {part: target_tensor(task, faces[task][split[part]], job.device) for part in ("train", "val")}

model = prepare(build_cnn(task, **params.model), job.device)
if task == "age":  # start the regressor at the mean training age instead of 0 years
    torch.nn.init.constant_(model.head[-1].bias, y["train"].mean().item())
logging.info(
    "task %s on %s: %d parameters, %d train faces",
    task,
    job.device,
    count_parameters(model),
    len(x["train"]),
)

cfg = TrainConfig(**params.train, precision=job.precision)
# Rate and time left in the log, one line per epoch on the console, a status file beside the
# log for `python -m facevae.status`.
progress = Progress(
    f"train_cnn {task} seed{snakemake.wildcards.seed}",
    epochs=cfg.epochs,
    batches=-(-len(x["train"]) // cfg.batch_size),
    images=len(x["train"]),
    status=status_path(snakemake.log[0]),
)
history = train_cnn(model, task, (x["train"], y["train"]), (x["val"], y["val"]), cfg, progress)
history.update(parameters=count_parameters(model), **job.describe())
save_torch(
    snakemake.output.model,
    checkpoint(model, task=task, epoch=cfg.epochs, train_config=params.train),
)
write_json(snakemake.output.history, history, indent=None)

# Predictions on the validation faces (what chapter 3 chooses by) and on the test faces.
for part in ("val", "test"):
    output = predict(model, x[part], cfg.eval_batch_size, cfg.precision).numpy()
    scores = (
        {"prob": torch.softmax(torch.from_numpy(output), 1).numpy()} if output.ndim == 2 else {}
    )
    save_npz(
        snakemake.output[f"{part}_predictions"],
        index=split[part],
        y_true=faces[task][split[part]],
        y_pred=output.argmax(1) if output.ndim == 2 else output,
        **scores,
    )
logging.info("predictions written (%d val, %d test faces)", len(x["val"]), len(x["test"]))
