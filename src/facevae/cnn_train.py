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

from facevae.cnn import TASKS
from facevae.progress import Progress
from facevae.runtime import adam, autocast

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


def lr_at_epoch(epoch: int, scale: float) -> float:
    """The original's schedule: 1 / (2000 (1 + E)) for the default scale."""
    return 1.0 / (scale * (1 + epoch))


def target_tensor(task: str, labels: np.ndarray, device) -> torch.Tensor:
    dtype = torch.long if TASKS[task]["classify"] else torch.float32
    return torch.as_tensor(labels, dtype=dtype, device=device)


def task_loss(task: str, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Cross-entropy on logits for the classifiers, mean squared error (years^2) for age."""
    if TASKS[task]["classify"]:
        return F.cross_entropy(output, target)
    return F.mse_loss(output, target)


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
    optimizer = make_optimizer(cfg.optimizer, model.parameters(), lr_at_epoch(0, cfg.lr_scale))
    history = {"batch_loss": [], "batch_epoch": [], "val_metric": [], "lr": [], "epoch_seconds": []}
    history["val_metric_name"] = "accuracy" if TASKS[task]["classify"] else "mse"
    n_batches = -(-len(x) // cfg.batch_size)
    if progress is not None:
        progress.begin(0)

    for epoch in range(cfg.epochs):
        lr = lr_at_epoch(epoch, cfg.lr_scale)
        for group in optimizer.param_groups:
            group["lr"] = lr
        model.train()
        order = torch.randperm(len(x), generator=generator).to(device)
        losses = torch.empty(n_batches, device=device)
        start = time.perf_counter()
        if progress is not None:
            progress.epoch_started(epoch)
        for b in range(n_batches):
            index = order[b * cfg.batch_size : (b + 1) * cfg.batch_size]
            with autocast(device, cfg.precision):
                loss = task_loss(task, model(x[index]), y[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
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
