"""Training loop of the chapter-1 CNNs, with ``evaluate`` and ``predict`` beside it, and
``train_and_predict``: what one training job of the workflow does, from the face and split
arrays to a trained model, its history and its validation and test predictions.

The split's images live in one tensor on the training device; a batch is an index into it
(no per-item Dataset on the hot path). Losses are collected on the device and copied to the
host once per epoch, so logging does not stall the loop.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from facevae.augment import Augment, balanced_weights
from facevae.cnn import TASKS, build_cnn, build_multitask
from facevae.layers import count_parameters
from facevae.progress import Progress
from facevae.runtime import (
    FiniteSteps,
    Job,
    adam,
    autocast,
    image_tensor,
    lr_schedule,
    prepare,
)

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    epochs: int = 10
    batch_size: int = 64
    optimizer: str = "adam"  # "adam" or "sgd"
    lr_scale: float = 2000.0  # learning rate at epoch E (0-based): 1 / (lr_scale * (1 + E))
    seed: int = 0
    eval_batch_size: int = 1024
    log_every: int = 50  # batches between progress lines in the log
    # "bf16" (mixed: facevae.runtime.autocast) or "fp32", already settled: "auto" in the
    # settings becomes the faster one in facevae.runtime.start_job (timed by facevae.precision).
    precision: str = "fp32"
    # Beyond the original (chapter 3); the defaults train exactly as the original did.
    lr_schedule: str = "paper"  # "paper" (1 / (lr_scale (1 + E)) per epoch) or "onecycle"
    lr: float = 3e-3  # onecycle only: the peak learning rate (facevae.runtime.lr_schedule)
    warmup: float = 0.3  # onecycle only: share of the batches spent rising to the peak
    class_weights: bool = False  # classifiers: weigh each class by n / (classes x its count)
    augment: dict | None = None  # Augment fields (flip, shift, shear); None: no augmentation
    label_smoothing: float = 0.0  # classifiers: share of the target spread over all classes
    age_loss: str = "mse"  # age: "mse" (years^2), "l1" (years) or "huber" (quadratic below 1 year)
    age_weight: float = 1.0  # multi-task models: weight of the age loss in the sum of losses


def lr_at_epoch(epoch: int, scale: float) -> float:
    """The original's schedule: 1 / (2000 (1 + E)) for the default scale."""
    return 1.0 / (scale * (1 + epoch))


def target_tensor(task: str, labels: np.ndarray, device) -> torch.Tensor:
    dtype = torch.long if TASKS[task]["classify"] else torch.float32
    return torch.as_tensor(labels, dtype=dtype, device=device)


AGE_LOSSES = {"mse": F.mse_loss, "l1": F.l1_loss, "huber": F.smooth_l1_loss}


def task_loss(
    task: str,
    output: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    label_smoothing: float = 0.0,
    age_loss: str = "mse",
) -> torch.Tensor:
    """Cross-entropy on logits for the classifiers (optionally class-weighted and smoothed),
    mean squared error (years^2) for age, or the ``age_loss`` named instead."""
    if TASKS[task]["classify"]:
        return F.cross_entropy(output, target, weight=weight, label_smoothing=label_smoothing)
    if age_loss not in AGE_LOSSES:
        raise ValueError(f"unknown age loss {age_loss!r}: one of {', '.join(AGE_LOSSES)}")
    return AGE_LOSSES[age_loss](output, target)


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int, precision="fp32"):
    """Model outputs for all of ``x`` in eval mode (logits or ages), on the host; a dict of
    them by task for a multi-task model."""
    model.eval()
    with autocast(x.device, precision):
        outputs = [model(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
    if isinstance(outputs[0], dict):
        return {t: torch.cat([o[t].float() for o in outputs]).cpu() for t in outputs[0]}
    return torch.cat([o.float() for o in outputs]).cpu()


def prediction_arrays(output: np.ndarray, index: np.ndarray, y_true: np.ndarray) -> dict:
    """What a predictions file holds: the faces' row numbers, the true labels, the predicted
    class (and the class probabilities) or the predicted age."""
    if output.ndim == 1:
        return {"index": index, "y_true": y_true, "y_pred": output}
    prob = torch.softmax(torch.from_numpy(output), 1).numpy()
    return {"index": index, "y_true": y_true, "y_pred": output.argmax(1), "prob": prob}


def metric(task: str, output: torch.Tensor, y: torch.Tensor) -> float:
    """Validation metric: accuracy for classifiers, MSE in years^2 for age."""
    y = y.cpu()
    if TASKS[task]["classify"]:
        return (output.argmax(1) == y).float().mean().item()
    return F.mse_loss(output, y).item()


def evaluate(model, task: str, x, y, batch_size: int, precision="fp32") -> float:
    """The validation metric of one task's model on (x, y)."""
    return metric(task, predict(model, x, batch_size, precision), y)


def _loss_args(task: str, y: torch.Tensor, cfg: TrainConfig) -> dict:
    args = {"age_loss": cfg.age_loss}
    if TASKS[task]["classify"]:
        args["label_smoothing"] = cfg.label_smoothing
        if cfg.class_weights:
            args["weight"] = balanced_weights(y, TASKS[task]["outputs"])
    return args


def make_optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    if name == "adam":
        return adam(params, lr)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    raise ValueError(f"unknown optimizer {name!r} (use adam or sgd)")


def train_cnn(
    model, task: str, train_xy, val_xy, cfg: TrainConfig, progress: Progress | None = None
) -> dict:
    """Train ``model`` for ``task`` on tensors already on the model's device; return history.

    ``train_xy`` and ``val_xy`` are (images (N, 1, 48, 48), targets) tensor pairs. For a
    multi-task model (facevae.cnn.MultiTaskCNN) ``task`` is the tuple of its tasks, the
    targets are dicts of tensors by task, the loss is the sum of the task losses (age
    weighted by ``cfg.age_weight``) and the history has ``val_metrics`` by task.
    ``progress`` (optional) adds the rate and the time left to the log lines and keeps the
    job's status file (see ``facevae.progress``); it changes nothing in the training.
    """
    multitask = not isinstance(task, str)
    tasks = tuple(task) if multitask else (task,)
    x, y = train_xy
    targets = y if multitask else {task: y}
    device = x.device
    generator = torch.Generator(device="cpu").manual_seed(cfg.seed)
    n_batches = -(-len(x) // cfg.batch_size)
    paper_lr = cfg.lr_schedule == "paper"
    first_lr = lr_at_epoch(0, cfg.lr_scale) if paper_lr else cfg.lr
    optimizer = make_optimizer(cfg.optimizer, model.parameters(), first_lr)
    scheduler = None
    if not paper_lr:
        scheduler = lr_schedule(optimizer, cfg.lr_schedule, cfg.epochs * n_batches, cfg.warmup)
    augment = Augment(**cfg.augment) if cfg.augment else None
    # the augmentation's draws come from a generator of their own: the batch order is the
    # same with and without it
    augment_generator = torch.Generator(device="cpu").manual_seed(cfg.seed + 7919)
    loss_args = {t: _loss_args(t, targets[t], cfg) for t in tasks}
    weights = {t: cfg.age_weight if t == "age" else 1.0 for t in tasks}
    steps = FiniteSteps(optimizer, device, model)
    history = {"batch_loss": [], "batch_epoch": [], "val_metric": [], "lr": [], "epoch_seconds": []}
    history["skipped_steps"] = []
    names = {t: "accuracy" if TASKS[t]["classify"] else "mse" for t in tasks}
    if multitask:
        history |= {"val_metrics": {t: [] for t in tasks}, "val_metric_names": names}
    else:
        history["val_metric_name"] = names[task]
    if progress is not None:
        progress.begin(0)

    for epoch in range(cfg.epochs):
        if paper_lr:
            for group in optimizer.param_groups:
                group["lr"] = lr_at_epoch(epoch, cfg.lr_scale)
        lr = optimizer.param_groups[0]["lr"]  # at the epoch's start
        model.train()
        order = torch.randperm(len(x), generator=generator).to(device)
        losses = torch.empty(n_batches, device=device)
        start = time.perf_counter()
        if progress is not None:
            progress.epoch_started(epoch)
        for b in range(n_batches):
            index = order[b * cfg.batch_size : (b + 1) * cfg.batch_size]
            batch = x[index] if augment is None else augment(x[index], augment_generator)
            with autocast(device, cfg.precision):
                if multitask:
                    out = model(batch)
                    loss = sum(
                        weights[t] * task_loss(t, out[t], targets[t][index], **loss_args[t])
                        for t in tasks
                    )
                else:
                    loss = task_loss(task, model(batch), y[index], **loss_args[task])
            steps.step(loss)  # skipped, on the device, when not finite
            if scheduler is not None:
                scheduler.step()
            losses[b] = loss.detach()
            if (b + 1) % cfg.log_every == 0:  # one host sync every log_every batches
                value = loss.item()
                seen = (b + 1) * cfg.batch_size
                log.info(
                    "epoch %d/%d batch %d/%d loss %.4f %s",
                    epoch + 1,
                    cfg.epochs,
                    b + 1,
                    n_batches,
                    value,
                    f"{seen / (time.perf_counter() - start):.0f} images/s"
                    if progress is None
                    else progress.batch_done(epoch, b + 1),
                )
        seconds = time.perf_counter() - start
        skipped = steps.epoch_done(epoch, log)  # raises before a diverged epoch is kept
        history["skipped_steps"].append(skipped)
        if progress is not None:
            progress.trained(epoch)
        val_x, val_y = val_xy
        if multitask:
            outputs = predict(model, val_x, cfg.eval_batch_size, cfg.precision)
            for t in tasks:
                history["val_metrics"][t].append(metric(t, outputs[t], val_y[t]))
            val_text = ", ".join(
                f"{t} {names[t]} {history['val_metrics'][t][-1]:.4f}" for t in tasks
            )
        else:
            val = evaluate(model, task, val_x, val_y, cfg.eval_batch_size, cfg.precision)
            history["val_metric"].append(val)
            val_text = f"{names[task]} {val:.4f}"
        history["batch_loss"] += losses.cpu().tolist()
        history["batch_epoch"] += [epoch] * n_batches
        history["lr"].append(lr)
        history["epoch_seconds"].append(seconds)
        log.info(
            "epoch %d done of %d: lr %.2e, mean loss %.4f, val %s, %.1f s%s",
            epoch + 1,
            cfg.epochs,
            lr,
            losses.nanmean().item(),
            val_text,
            seconds,
            f", {len(x) / seconds:.0f} images/s"
            if progress is None
            else f" {progress.epoch_done(epoch)}",
        )
    if progress is not None:
        progress.finish()
    return history


PREDICTED_PARTS = ("val", "test")  # the split parts a trained network is applied to


def train_and_predict(
    faces: dict,
    split: dict,
    task,
    model_args: dict,
    train_args: dict,
    job: Job,
    label: str | None = None,
    status=None,
) -> tuple[nn.Module, dict, dict]:
    """Build, train and apply one CNN as a training job of the workflow does.

    ``faces`` holds the uint8 images (N, 48, 48) and every task's labels by name, ``split``
    the row numbers of its "train", "val" and "test" faces. ``task`` is one task's name (a
    FaceCNN) or a sequence of tasks (one MultiTaskCNN with a head per task). ``model_args``
    are CNNConfig fields, ``train_args`` TrainConfig fields with the seed; ``job`` (see
    facevae.runtime.start_job) gives the device and the precision, already resolved. The
    initial weights come from torch's global generator, which the caller has seeded
    (start_job does). An age head starts its output at the mean training age, not at 0.
    With ``label``, a Progress of that name reports on the training and keeps the status
    file ``status``.

    Returns (model, history, predictions): the history of ``train_cnn`` with the parameter
    count and the job's device and precision added, and ``predictions[part][task]`` the
    arrays of a predictions file (see ``prediction_arrays``) for part "val" and "test".
    """
    multitask = not isinstance(task, str)
    tasks = list(task) if multitask else [task]
    x = {p: image_tensor(faces["images"][split[p]], job.device) for p in ("train", "val", "test")}
    y = {
        p: {t: target_tensor(t, faces[t][split[p]], job.device) for t in tasks}
        for p in ("train", "val")
    }
    if multitask:
        model = prepare(build_multitask(tasks, **model_args), job.device)
        age_head = model.heads["age"] if "age" in tasks else None
    else:
        model = prepare(build_cnn(task, **model_args), job.device)
        age_head = model.head if task == "age" else None
    if age_head is not None:
        torch.nn.init.constant_(age_head[-1].bias, y["train"]["age"].mean().item())
    log.info(
        "%s on %s: %d parameters, %d train faces",
        "multitask" if multitask else task,
        job.device,
        count_parameters(model),
        len(x["train"]),
    )
    cfg = TrainConfig(**train_args, precision=job.precision)
    progress = None
    if label is not None:
        progress = Progress(
            label,
            epochs=cfg.epochs,
            batches=-(-len(x["train"]) // cfg.batch_size),
            images=len(x["train"]),
            status=status,
        )
    # train_cnn takes a multi-task model's targets as dicts by task, one task's as a tensor
    targets = {p: y[p] if multitask else y[p][task] for p in ("train", "val")}
    history = train_cnn(
        model,
        tuple(tasks) if multitask else task,
        (x["train"], targets["train"]),
        (x["val"], targets["val"]),
        cfg,
        progress,
    )
    history.update(parameters=count_parameters(model), **job.describe())
    predictions = {}
    for part in PREDICTED_PARTS:
        outputs = predict(model, x[part], cfg.eval_batch_size, cfg.precision)
        index = split[part]
        predictions[part] = {
            t: prediction_arrays(
                (outputs[t] if multitask else outputs).numpy(), index, faces[t][index]
            )
            for t in tasks
        }
    return model, history, predictions
