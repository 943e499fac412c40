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
import platform
import sys
from contextlib import ExitStack
from dataclasses import dataclass

import numpy as np
import torch

from facevae.gpus import claim_device

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


def resolve_precision(precision: str, device: torch.device) -> str:
    """ "auto" -> bf16 where the hardware makes it faster than fp32 (CUDA with bf16 support, or
    a CPU with AMX tiles), else fp32. An explicit "bf16" or "fp32" is kept."""
    if precision != "auto":
        return precision
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    fast = torch.backends.mkldnn.is_available() and cpu_bf16_pays(_cpu_flags())
    return "bf16" if fast else "fp32"


def cpu_bf16_pays(flags: str) -> bool:
    """Whether bf16 training beats fp32 on a CPU with these /proc/cpuinfo flags.

    Only AMX does. AVX-512 BF16 alone (``avx512_bf16``) is not enough: measured with torch
    2.13 on a 2-core Xeon that has it but no AMX, oneDNN's bf16 kernels ran matmuls at
    160 GFLOP/s against 290 in fp32, and a VAE training step at 0.98x the fp32 reference
    rather than the 1.6x fp32 reached (see README, Performance).
    """
    return "amx_bf16" in flags.split()


def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return line.partition(":")[2]
    except OSError:
        pass
    return ""


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
    small ops per tensor) on the CPU and CUDA, where torch has it; the default one elsewhere."""
    params = list(params)
    fused = all(p.device.type in ("cpu", "cuda") and p.is_floating_point() for p in params)
    return torch.optim.Adam(params, lr=lr, fused=fused)


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

    def describe(self) -> dict:
        """Where the job ran, for the provenance of the results."""
        return {
            "device": str(self.device),
            "device_name": device_name(self.device),
            "precision": self.precision,
        }


def device_name(device: torch.device) -> str:
    """The GPU's name, or the CPU's model as the kernel reports it."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def start_job(
    threads: int, seed: int, device: str = "auto", precision: str = "auto", gpu_locks=None
) -> Job:
    """Set up this process for torch work: CPU threads, the global seed, the device (a GPU of
    its own under ``gpu_locks``), the precision, and on the CPU an allocator that keeps freed
    memory (see :func:`keep_freed_memory`)."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    chosen = pick_device(device, gpu_locks)
    if chosen.type == "cpu":
        keep_freed_memory()  # large CPU tensors are reused, not faulted in every step
    return Job(device=chosen, precision=resolve_precision(precision, chosen), threads=threads)
