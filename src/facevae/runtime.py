"""How every torch job runs: device, precision, threads, seed, allocator and optimizer.

A training, evaluation, restoration or interpolation job starts with one call::

    job = start_job(threads=snakemake.threads, seed=0, device="auto", precision="auto",
                    gpu_locks=".snakemake/gpu_locks")
    model = prepare(build_vae(...), job.device)
    with autocast(job.device, job.precision): ...

so that all of them see the same device choice, the same arithmetic and the same memory
behaviour.
"""

from __future__ import annotations

import ctypes
import math
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field

import numpy as np
import torch

from facevae.gpus import claim_device
from facevae.precision import choose, device_name

# GPUs this process has claimed (see pick_device); released when the process ends.
_CLAIMED = ExitStack()


def pick_device(requested: str = "auto", lock_dir=None) -> torch.device:
    """CUDA when present (or asked for), else the CPU.

    With ``lock_dir``, a CUDA job also claims a GPU of its own among several (a lock file per
    device, see facevae.gpus), so that parallel jobs of one workstation do not all land on
    cuda:0; under a scheduler that set CUDA_VISIBLE_DEVICES the plain ``cuda`` device is used.
    """
    if requested == "auto":
        requested = "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device 'cuda' was requested but torch sees no CUDA device")
    device = torch.device(requested)
    if device.type == "cuda" and lock_dir is not None:
        index = _CLAIMED.enter_context(claim_device(torch.cuda.device_count(), lock_dir))
        if index is not None:
            device = torch.device("cuda", index)
    return device


def image_tensor(images: np.ndarray, device) -> torch.Tensor:
    """uint8 (N, 48, 48) -> float32 (N, 1, 48, 48) in [0, 1] on ``device``."""
    return torch.from_numpy(images).to(device).unsqueeze(1).float().div_(255)


# Where `precision: auto` keeps what it measured, relative to the workflow's working directory
# (every job, local or on a cluster node, runs there): one probe per machine, not per job.
PRECISION_CACHE = ".snakemake/facevae/precision.json"


def resolve_precision(precision: str, device: torch.device, cache=PRECISION_CACHE) -> str:
    """ "auto" -> the faster of bf16 and fp32 on `device`, as timed by
    :func:`facevae.precision.choose` (cached per machine in `cache`); "bf16" or "fp32" is
    kept as given."""
    if precision != "auto":
        return precision
    return choose(device, cache)["choice"]


def lr_schedule(optimizer, kind: str, steps: int, warmup: float = 0.3):
    """The learning-rate schedule of a training run, stepped once per batch; None for a
    constant rate. "onecycle": torch's OneCycleLR over `steps` batches, rising from a 25th of
    each parameter group's rate to it over the first `warmup` share of the steps, then falling
    along a cosine to a ten-thousandth of the start (Adam's betas stay as they are)."""
    if kind == "constant":
        return None
    if kind != "onecycle":
        raise ValueError(f"unknown learning-rate schedule {kind!r}: constant or onecycle")
    peak = [group["lr"] for group in optimizer.param_groups]  # each group keeps its own
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=peak, total_steps=steps, pct_start=warmup, cycle_momentum=False
    )


def autocast(device: torch.device, precision: str):
    """Mixed precision for the forward pass: matmuls and convolutions in bfloat16, losses and
    reductions in float32 (torch's autocast lists). Weights and optimizer stay float32."""
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16")


def prepare(model: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    """Move the model to the device in channels-last layout (what oneDNN and cuDNN convolve
    fastest) and, on CUDA, allow TF32 for whatever still runs in float32."""
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    return model.to(device=device, memory_format=torch.channels_last)


def adam(params, lr: float) -> torch.optim.Adam:
    """Adam with the fused kernel (one pass over all parameters per step instead of a chain of
    small ops per tensor) on the CPU and CUDA, where torch has it; the default one elsewhere.
    ``params``: tensors, or parameter groups (dicts with "params" and their own "lr")."""
    params = list(params)
    tensors = [p for item in params for p in (item["params"] if isinstance(item, dict) else [item])]
    fused = all(p.device.type in ("cpu", "cuda") and p.is_floating_point() for p in tensors)
    return torch.optim.Adam(params, lr=lr, fused=fused)


class FiniteSteps:
    """Optimizer steps that leave the model alone when the loss or a gradient is not a
    finite number, so that one bad batch (an overflow in a spike of the loss) cannot turn
    every weight into NaN, as it did to a VAE of the grid once.

    The weights: torch's GradScaler kept at a scale of 1 (so a finite step is exactly the
    plain one); with the fused Adam of ``adam`` the check and the skip happen on the device,
    without waiting for it. The scale halves at each skipped step (an exact power of two, so
    nothing else changes); ``skipped`` reads the count from it once per epoch. The running
    statistics of batch norm, which the forward pass has already updated: put back as they
    were after the last finite step, also on the device. Make it after loading a saved state.
    """

    def __init__(self, optimizer, device: torch.device, model: torch.nn.Module | None = None):
        self.optimizer = optimizer
        self.taken = 0  # steps since the last epoch_done
        self.scaler = torch.amp.GradScaler(device.type, init_scale=1.0, growth_interval=2**30)
        self.buffers = (
            [] if model is None else [b for b in model.buffers() if b.is_floating_point()]
        )
        self.kept = [b.detach().clone() for b in self.buffers]

    def step(self, loss: torch.Tensor) -> None:
        self.taken += 1
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        if self.buffers:
            bad = ~torch.isfinite(loss.detach())
            with torch.no_grad():
                for buffer, kept in zip(self.buffers, self.kept):
                    buffer.copy_(torch.where(bad, kept, buffer))
                    kept.copy_(buffer)

    def skipped(self) -> int:
        """Steps skipped since the last call (one host sync); counting starts again."""
        scale = self.scaler.get_scale()
        self.scaler.update(1.0)
        return round(math.log2(1.0 / scale)) if scale > 0 else -1

    def epoch_done(self, epoch: int, log) -> int:
        """The epoch's skipped steps, logged; raises Diverged when too many (check_skipped)."""
        skipped, taken, self.taken = self.skipped(), self.taken, 0
        check_skipped(skipped, taken, epoch, log)
        return skipped


class Diverged(RuntimeError):
    """Training gave non-finite losses or gradients in too many steps of an epoch."""


def check_skipped(skipped: int, steps: int, epoch: int, log, limit: float = 0.1) -> None:
    """Log the steps of an epoch that ``FiniteSteps`` skipped; raise Diverged when more than
    ``limit`` of them were, since the model is then not training any more."""
    if skipped == 0:
        return
    log.warning(
        "epoch %d: %d of %d steps skipped (loss or gradient not finite)", epoch + 1, skipped, steps
    )
    if skipped > limit * steps:
        raise Diverged(
            f"training diverged: {skipped} of {steps} steps of epoch {epoch + 1} gave a loss or"
            " gradient that is not a finite number. Lower the learning rate (lr) or train in"
            " fp32 (--config precision=fp32), under a new run name."
        )


def keep_freed_memory() -> bool:
    """Make this process's malloc keep freed memory for reuse (glibc on Linux; else a no-op).

    A CPU training step allocates and frees activations and gradients of up to 75 MB. glibc
    serves blocks that large with mmap and hands them back to the kernel when freed, so every
    step faults tens of thousands of fresh pages in again and zero-fills them: about a fifth of
    a VAE step on the 2-core development machine. With mmap off and trimming only above 2 GiB
    free, the blocks are reused. The price is that the process keeps its peak heap until it
    exits, which suits a training job. Returns whether the setting took effect.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_max = -1, -4  # glibc's <malloc.h>
        return bool(libc.mallopt(m_mmap_max, 0)) and bool(libc.mallopt(m_trim_threshold, 2**31 - 1))
    except (OSError, AttributeError):  # not glibc (e.g. musl)
        return False


@dataclass(frozen=True)
class Job:
    """What :func:`start_job` settled on."""

    device: torch.device
    precision: str  # "bf16" or "fp32", already resolved
    threads: int
    probe: dict | None = None  # what precision: auto measured (facevae.precision.choose)
    started: float = field(default_factory=time.time)  # wall clock at start_job
    cpu_started: float = field(default_factory=time.process_time)  # this process, all threads

    def describe(self) -> dict:
        """Where the job ran, for the provenance of the results."""
        found = {
            "device": str(self.device),
            "device_name": device_name(self.device),
            "precision": self.precision,
        }
        if self.probe:
            found |= {f"probe_{p}_images_per_s": self.probe[p] for p in ("fp32", "bf16")}
        return found

    def timing(self) -> dict:
        """What the job has cost so far: wall and CPU seconds since :func:`start_job` and the
        wall clock now (seconds since the epoch). Written into a model's history, it travels
        with the model: a model that a later run takes from Snakemake's cache still says what
        it cost to train (a resumed job counts its last process only)."""
        return {
            "job_seconds": time.time() - self.started,
            "job_cpu_seconds": time.process_time() - self.cpu_started,
            "job_finished": time.time(),
        }


def start_job(
    threads: int, seed: int, device: str = "auto", precision: str = "auto", gpu_locks=None
) -> Job:
    """Set up this process for torch work: CPU threads, the global seed, the device (a GPU of
    its own under ``gpu_locks``), the precision, and on the CPU an allocator that keeps freed
    memory (see :func:`keep_freed_memory`)."""
    started, cpu_started = time.time(), time.process_time()
    torch.set_num_threads(threads)
    chosen = pick_device(device, gpu_locks)
    if chosen.type == "cpu":
        keep_freed_memory()  # large CPU tensors are reused, not faulted in every step
    probe = None
    if precision == "auto":  # the probe runs before the seed is set: it draws random numbers
        probe = choose(chosen, PRECISION_CACHE)
        precision = probe["choice"]
    torch.manual_seed(seed)
    return Job(chosen, precision, threads, probe, started, cpu_started)
