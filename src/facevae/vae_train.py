"""Training loop of the beta-VAE, with ``evaluate_vae`` beside it, resumable per epoch, and
``train_on_split`` with ``resume_slot``: what one training job of the workflow does.

As for the CNNs, the images sit in one tensor on the device and a batch is an index into it;
per-batch losses stay on the device until the end of the epoch.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from facevae.baselines import principal_components
from facevae.files import digest, exclusive, load_torch, save_torch
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
from facevae.vae import build_vae, reconstruction_error, vae_loss

log = logging.getLogger(__name__)


@dataclass
class VAETrainConfig:
    beta: float = 1.0
    epochs: int = 200
    batch_size: int = 128
    lr: float = 1e-3  # the constant rate, or the peak of the one-cycle schedule
    lr_schedule: str = "constant"  # "constant" or "onecycle" (see facevae.runtime.lr_schedule)
    warmup: float = 0.3  # one-cycle: share of the steps spent rising to the peak
    recon: str = "mse"  # reconstruction term: "mse" or "bce" (see facevae.vae)
    # Denoising objective: Gaussian noise of this standard deviation (grey levels in [0, 1])
    # is added to every training face the model sees; the loss compares with the clean face.
    denoise: float = 0.0
    seed: int = 0
    eval_batch_size: int = 1024
    log_every: int = 50
    # "bf16" (mixed: facevae.runtime.autocast) or "fp32", already settled: "auto" in the
    # settings becomes the faster one in facevae.runtime.start_job (timed by facevae.precision).
    precision: str = "fp32"


def _rng_state() -> dict:
    state = {"cpu": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["cpu"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


@torch.no_grad()
def evaluate_vae(model, x, cfg: VAETrainConfig) -> dict:
    """Mean reconstruction error and KL on ``x`` (posterior mean decoded, no sampling; the
    KL to a mixture prior is a one-sample estimate, see ``VAEBase.kl``), and the mean squared
    error per pixel whatever the loss (``mse``, which the training curves turn into PSNR)."""
    model.eval()
    recon = kl = squared = 0.0
    for i in range(0, len(x), cfg.eval_batch_size):
        batch = x[i : i + cfg.eval_batch_size]
        with autocast(x.device, cfg.precision):
            mu, logvar = model.encode(batch)
            logits = model.decode(mu)
        mu, logvar, logits = mu.float(), logvar.float(), logits.float()
        recon += reconstruction_error(logits, batch, cfg.recon).sum().item()
        squared += reconstruction_error(logits, batch, "mse").sum().item()
        kl += model.kl(mu, logvar).sum().item()
    faces, pixels = len(x), x.shape[1:].numel()
    return {"recon": recon / faces, "kl": kl / faces, "mse": squared / faces / pixels}


_RESUME_KEYS = ("settings", "model", "optimizer", "generator", "rng", "history", "epoch")


def read_resume_state(path, settings: dict, epochs: int, device) -> dict | None:
    """The saved training state at ``path`` if training can continue from it, else None.

    It must have been made with the same ``settings`` (model, training settings other than
    the number of epochs, and the digest of the training and validation data) and hold no
    more than ``epochs`` epochs. Anything else, including a damaged file, is logged in one
    line and training starts fresh. The file is loaded with ``weights_only=True``: a planted
    file cannot run code.
    """
    path = Path(path)
    if not path.exists():
        return None
    try:
        state = load_torch(path, map_location=device)
        if not isinstance(state, dict) or any(key not in state for key in _RESUME_KEYS):
            raise ValueError("not a training state")
        kinds = {"settings": dict, "history": dict, "epoch": int, "model": dict}
        wrong = [key for key, kind in kinds.items() if not isinstance(state[key], kind)]
        if wrong:
            raise ValueError(f"not a training state: wrong type of {', '.join(wrong)}")
    except Exception as err:  # truncated, empty, foreign or unsafe: never fatal
        reason = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
        log.warning("starting fresh: cannot read the resume state %s (%s)", path, reason)
        return None
    differ = [part for part in settings if state["settings"].get(part) != settings[part]]
    if differ:
        log.info("starting fresh: %s was made with other %s", path, " and ".join(differ))
        return None
    if state["epoch"] > epochs:
        log.info(
            "starting fresh: %s holds %d epochs, more than the %d asked for",
            path,
            state["epoch"],
            epochs,
        )
        return None
    return state


def _snapshot(model, optimizer, scheduler, generator) -> dict:
    """What :func:`_restore` needs to put a training back where it stands now."""
    return copy.deepcopy(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": None if scheduler is None else scheduler.state_dict(),
            "generator": generator.get_state(),
            "rng": _rng_state(),
            "history": None,
            "epoch": 0,
        }
    )


def _restore(state, model, optimizer, scheduler, generator) -> tuple[dict | None, int]:
    """Load a training state (its types checked by read_resume_state); (history, epochs
    done). Raises if its contents do not fit the model or the optimizer."""
    epoch, history = state["epoch"], state["history"]
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None:
        scheduler.load_state_dict(state["scheduler"])
    generator.set_state(state["generator"])
    _set_rng_state(state["rng"])
    if history is not None:
        history.setdefault("skipped_steps", [0] * epoch)  # a file of older code
    return history, epoch


def train_vae(
    model,
    x,
    x_val,
    cfg: VAETrainConfig,
    resume_path=None,
    data_digest="",
    progress: Progress | None = None,
) -> dict:
    """Train a beta-VAE on images ``x`` (N, 1, 48, 48) already on the model's device.

    After every epoch the full training state (weights, optimizer, random generators, history)
    goes to ``resume_path``; if that file exists at the start and was made from the same
    model, settings and data (``data_digest`` names the training and validation data, see
    ``facevae.files.digest``), training continues after its last finished epoch, and the
    result equals an uninterrupted run.

    ``progress`` (optional) adds the rate and the time left to the log lines and keeps the
    job's status file (see ``facevae.progress``); it changes nothing in the training.
    """
    device = x.device
    generator = torch.Generator(device="cpu").manual_seed(cfg.seed)
    optimizer = adam(model.parameter_groups(cfg.lr), cfg.lr)
    n_batches = -(-len(x) // cfg.batch_size)
    scheduler = lr_schedule(optimizer, cfg.lr_schedule, cfg.epochs * n_batches, cfg.warmup)
    history = {"batch_loss": [], "val_recon": [], "val_kl": [], "val_mse": [], "epoch_seconds": []}
    history |= {"lr": [], "skipped_steps": []}
    start_epoch = 0
    # What the resume file must have been made with. With a constant rate the epochs may
    # differ (training can be extended); a schedule is laid out over all epochs, so not then.
    extendable = cfg.lr_schedule == "constant"
    settings = {
        "model": asdict(model.config),
        "training settings": asdict(cfg) | ({"epochs": None} if extendable else {}),
        "data": data_digest,
    }
    state = (
        None
        if resume_path is None
        else read_resume_state(resume_path, settings, cfg.epochs, device)
    )
    if state is not None:
        # A state whose settings match but whose contents do not fit (other shapes, wrong
        # types: a planted or mangled file) is discarded like any unreadable one: what it
        # had already set is put back, and training starts fresh.
        fresh = _snapshot(model, optimizer, scheduler, generator)
        try:
            history, start_epoch = _restore(state, model, optimizer, scheduler, generator)
            log.info("resuming from %s after epoch %d", resume_path, start_epoch)
        except (RuntimeError, KeyError, TypeError, ValueError, AttributeError) as err:
            reason = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
            log.warning("starting fresh: %s does not fit this model (%s)", resume_path, reason)
            _restore(fresh, model, optimizer, scheduler, generator)
    steps = FiniteSteps(optimizer, device, model)
    if progress is not None:
        progress.begin(start_epoch)

    for epoch in range(start_epoch, cfg.epochs):
        model.train()
        order = torch.randperm(len(x), generator=generator).to(device)
        losses = torch.empty(n_batches, device=device)
        start = time.perf_counter()
        if progress is not None:
            progress.epoch_started(epoch)
        for b in range(n_batches):
            batch = x[order[b * cfg.batch_size : (b + 1) * cfg.batch_size]]
            seen = batch  # a denoising objective: the model sees a noisy face, rebuilds the clean
            if cfg.denoise > 0:
                seen = batch + cfg.denoise * torch.randn_like(batch)
            with autocast(device, cfg.precision):
                logits, mu, logvar = model(seen)
            # The loss in float32: sums over 2304 pixels lose too much in bfloat16.
            mu, logvar = mu.float(), logvar.float()
            loss, recon, kl = vae_loss(
                logits.float(), batch, mu, logvar, cfg.beta, cfg.recon, model.kl(mu, logvar)
            )
            steps.step(loss)  # skipped, on the device, when not finite
            lr_used = optimizer.param_groups[0]["lr"]
            if scheduler is not None:
                scheduler.step()
            losses[b] = loss.detach()
            if (b + 1) % cfg.log_every == 0:
                values = loss.item(), recon.item(), kl.item()  # the host sync of a log line
                seen = (b + 1) * cfg.batch_size
                log.info(
                    "epoch %d/%d batch %d/%d loss %.2f (recon %.2f, kl %.2f) %s",
                    epoch + 1,
                    cfg.epochs,
                    b + 1,
                    n_batches,
                    *values,
                    f"{seen / (time.perf_counter() - start):.0f} images/s"
                    if progress is None
                    else progress.batch_done(epoch, b + 1),
                )
        seconds = time.perf_counter() - start
        skipped = steps.epoch_done(epoch, log)  # raises before a diverged epoch is kept
        if progress is not None:
            progress.trained(epoch)
        val = evaluate_vae(model, x_val, cfg)
        history["skipped_steps"].append(skipped)
        history["batch_loss"] += losses.cpu().tolist()
        history["val_recon"].append(val["recon"])
        history["val_kl"].append(val["kl"])
        history["val_mse"].append(val["mse"])
        history["lr"].append(lr_used)  # the rate of the epoch's last batch
        history["epoch_seconds"].append(seconds)
        log.info(
            "epoch %d done of %d: loss %.2f, val recon %.2f, val kl %.2f, %.1f s%s",
            epoch + 1,
            cfg.epochs,
            losses.nanmean().item(),
            val["recon"],
            val["kl"],
            seconds,
            f", {len(x) / seconds:.0f} images/s"
            if progress is None
            else f" {progress.epoch_done(epoch)}",
        )
        if resume_path is not None:
            state = {
                "settings": settings,
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": None if scheduler is None else scheduler.state_dict(),
                "generator": generator.get_state(),
                "rng": _rng_state(),
                "history": history,
                "epoch": epoch + 1,
            }
            save_torch(resume_path, state)
    if progress is not None:
        progress.finish()
    return history


@contextlib.contextmanager
def resume_slot(folder) -> Iterator[Path]:
    """The resume file of a model folder (``resume.pt``), held by one trainer for the block.

    A lock file beside it keeps out a second trainer (one left running by a killed Snakemake,
    say): entering raises facevae.files.Busy while another live process holds it. The resume
    file is not a declared output, so Snakemake keeps it when a job is killed; it is deleted
    only when the block ends without an error, i.e. after the outputs were written.
    """
    folder = Path(folder)
    with exclusive(folder / ".train.lock"):
        resume = folder / "resume.pt"
        yield resume
        resume.unlink(missing_ok=True)


def train_on_split(
    faces: dict,
    split: dict,
    model_args: dict,
    train_args: dict,
    job: Job,
    resume_path=None,
    label: str | None = None,
    status=None,
) -> tuple[torch.nn.Module, dict]:
    """Build one beta-VAE and train it on a split's training faces, validating on its
    validation faces, as a training job of the workflow does.

    ``faces["images"]`` are the uint8 images (N, 48, 48), ``split`` the row numbers of each
    part. ``model_args`` are the fields of the model's config (VAEConfig, or ResVAEConfig
    with arch "res"), ``train_args`` VAETrainConfig fields with the seed; ``job`` (see
    facevae.runtime.start_job) gives the device and the precision, already resolved. The
    initial weights come from torch's global generator, which the caller has seeded
    (start_job does); a ResVAE's linear path starts as PCA of the training faces. With
    ``resume_path`` the training continues from, and keeps, a resume state there (see
    ``train_vae``); with ``label``, a Progress of that name reports on it and keeps the status
    file ``status``. Returns (model, history), the history with the
    parameter count and the job's device and precision added.
    """
    train_images, val_images = faces["images"][split["train"]], faces["images"][split["val"]]
    model = build_vae(**model_args)
    if getattr(model.config, "linear_path", False):  # ResVAE: its linear path starts as PCA
        pca = principal_components(train_images.astype(np.float32) / 255, model.config.latent)
        # the per-pixel noise variance for which the squared-error loss with this beta is a
        # Gaussian likelihood: its posterior variances are where the KL term wants them
        model.init_from_pca(**pca, noise=train_args["beta"] / 2)
    model = prepare(model, job.device)
    cfg = VAETrainConfig(**train_args, precision=job.precision)
    log.info(
        "VAE latent %d, beta %g on %s: %d parameters, %s reconstruction, %d train faces",
        model.config.latent,
        cfg.beta,
        job.device,
        count_parameters(model),
        cfg.recon,
        len(train_images),
    )
    progress = None
    if label is not None:
        progress = Progress(
            label,
            epochs=cfg.epochs,
            batches=-(-len(train_images) // cfg.batch_size),
            images=len(train_images),
            status=status,
        )
    history = train_vae(
        model,
        image_tensor(train_images, job.device),
        image_tensor(val_images, job.device),
        cfg,
        resume_path=resume_path,
        data_digest=digest(train_images, val_images),
        progress=progress,
    )
    history.update(parameters=count_parameters(model), **job.describe())
    return model, history
