"""Training loop of the chapter-1 CNNs, with ``evaluate`` and ``predict`` beside it.

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
from facevae.cnn import TASKS
from facevae.progress import Progress
from facevae.runtime import adam, autocast, lr_schedule

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
    precision: str = "fp32"  # "bf16" (mixed, autocast) or "fp32"; see facevae.device
    # Beyond the original (chapter 3); the defaults train exactly as the original did.
    lr_schedule: str = "paper"  # "paper" (1 / (lr_scale (1 + E)) per epoch) or "onecycle"
    lr: float = 3e-3  # onecycle only: the peak learning rate (facevae.runtime.lr_schedule)
    warmup: float = 0.3  # onecycle only: share of the batches spent rising to the peak
    class_weights: bool = False  # classifiers: weigh each class by n / (classes x its count)
    augment: dict | None = None  # Augment fields (flip, shift, shear); None: no augmentation
    label_smoothing: float = 0.0  # classifiers: share of the target spread over all classes
    age_loss: str = "mse"  # age: "mse" (years^2), "l1" (years) or "huber" (quadratic below 1 year)


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
def predict(model: nn.Module, x: torch.Tensor, batch_size: int, precision="fp32") -> torch.Tensor:
    """Model outputs for all of ``x`` in eval mode (logits or ages), on the host."""
    model.eval()
    with autocast(x.device, precision):
        outputs = [model(x[i : i + batch_size]).float() for i in range(0, len(x), batch_size)]
    return torch.cat(outputs).cpu()


def evaluate(model, task: str, x, y, batch_size: int, precision="fp32") -> float:
    """Validation metric: accuracy for classifiers, MSE in years^2 for age."""
    output = predict(model, x, batch_size, precision)
    y = y.cpu()
    if TASKS[task]["classify"]:
        return (output.argmax(1) == y).float().mean().item()
    return F.mse_loss(output, y).item()


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

    ``train_xy`` and ``val_xy`` are (images (N, 1, 48, 48), targets) tensor pairs.
    ``progress`` (optional) adds the rate and the time left to the log lines and keeps the
    job's status file (see ``facevae.progress``); it changes nothing in the training.
    """
    x, y = train_xy
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
    loss_args = {"age_loss": cfg.age_loss}
    if TASKS[task]["classify"]:
        loss_args["label_smoothing"] = cfg.label_smoothing
        if cfg.class_weights:
            loss_args["weight"] = balanced_weights(y, TASKS[task]["outputs"])
    history = {"batch_loss": [], "batch_epoch": [], "val_metric": [], "lr": [], "epoch_seconds": []}
    history["val_metric_name"] = "accuracy" if TASKS[task]["classify"] else "mse"
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
                loss = task_loss(task, model(batch), y[index], **loss_args)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
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
        if progress is not None:
            progress.trained(epoch)
        val = evaluate(model, task, *val_xy, cfg.eval_batch_size, cfg.precision)
        history["batch_loss"] += losses.cpu().tolist()
        history["batch_epoch"] += [epoch] * n_batches
        history["val_metric"].append(val)
        history["lr"].append(lr)
        history["epoch_seconds"].append(seconds)
        log.info(
            "epoch %d done of %d: lr %.2e, mean loss %.4f, val %s %.4f, %.1f s%s",
            epoch + 1,
            cfg.epochs,
            lr,
            losses.mean().item(),
            history["val_metric_name"],
            val,
            seconds,
            f", {len(x) / seconds:.0f} images/s"
            if progress is None
            else f" {progress.epoch_done(epoch)}",
        )
    if progress is not None:
        progress.finish()
    return history
