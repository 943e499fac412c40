"""Train the CNN of one task (gender, ethnicity or age) and predict the test split."""

import json
import logging

import torch

from facevae.data import load_npz, save_npz
from facevae.device import (
    image_tensor,
    keep_freed_memory,
    pick_device,
    prepare,
    resolve_precision,
)
from facevae.models import build_cnn, checkpoint, count_parameters
from facevae.train import TrainConfig, predict, target_tensor, train_cnn

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
task, params = snakemake.wildcards.task, snakemake.params
torch.set_num_threads(snakemake.threads)
torch.manual_seed(params.train["seed"])
device = pick_device(params.device, params.gpu_locks)
if device.type == "cpu":
    keep_freed_memory()  # large CPU tensors are reused, not faulted in every step

faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
x = {part: image_tensor(faces["images"][split[part]], device) for part in ("train", "val", "test")}
y = {part: target_tensor(task, faces[task][split[part]], device) for part in ("train", "val")}

model = prepare(build_cnn(task, **params.model), device)
if task == "age":  # start the regressor at the mean training age instead of 0 years
    torch.nn.init.constant_(model.head[-1].bias, y["train"].mean().item())
logging.info(
    "task %s on %s: %d parameters, %d train faces",
    task,
    device,
    count_parameters(model),
    len(x["train"]),
)

cfg = TrainConfig(**params.train, precision=resolve_precision(params.precision, device))
history = train_cnn(model, task, (x["train"], y["train"]), (x["val"], y["val"]), cfg)
history.update(parameters=count_parameters(model), device=str(device), precision=cfg.precision)
torch.save(
    checkpoint(model, task=task, epoch=cfg.epochs, train_config=params.train),
    snakemake.output.model,
)
with open(snakemake.output.history, "w") as handle:
    json.dump(history, handle)

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
