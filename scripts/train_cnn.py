"""Train the CNN of one task (gender, ethnicity or age) and predict the test split."""

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

output = predict(model, x["test"], cfg.eval_batch_size, cfg.precision).numpy()
scores = {"prob": torch.softmax(torch.from_numpy(output), 1).numpy()} if output.ndim == 2 else {}
y_pred = output.argmax(1) if output.ndim == 2 else output
save_npz(
    snakemake.output.predictions,
    index=split["test"],
    y_true=faces[task][split["test"]],
    y_pred=y_pred,
    **scores,
)
logging.info("test predictions written (%d faces)", len(y_pred))
