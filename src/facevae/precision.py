"""What device a job runs on (its name) and which arithmetic trains fastest there, found by
timing it.

CPU flags cannot tell: CPUs with the same AVX-512 BF16 flag run oneDNN's bf16 convolutions
at half the fp32 rate on one machine and at twice it on another. So ``precision: auto`` times
a short probe of the workflow's own work (the VAE's convolution blocks, forward and backward,
at the training batch size) in fp32 and under bf16 autocast, and keeps bf16 only when it is
faster by a margin. A probe takes a few seconds; its result is kept in a small JSON cache
keyed by the device's name, the torch version and the thread count, so the jobs of a grid
measure once per machine. A CPU probe that did not get the cores it asked for (another
process was busy on them: bf16 and fp32 suffer unequally then) is used by its own job but
not stored, so a later job measures again.
"""

from __future__ import annotations

import logging
import platform
import time
from pathlib import Path

import torch

from facevae.files import read_json, write_json
from facevae.layers import FeatureExtractor

log = logging.getLogger(__name__)

MARGIN = 1.15  # bf16 must be this much faster: below it, fp32's exactness wins
PROBE_CHANNELS = (64, 128, 256)  # the VAE's convolution blocks (config.yaml, vae.channels)
PROBE_BATCH = 64  # images per pass: the CNNs' batch, half the VAEs'
# A CPU probe whose threads got less than this share of their cores (CPU time over wall time
# times threads) ran beside other work: its rates are not kept for other jobs.
FAIR_SHARE = 0.75


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


def probe_rates(device: torch.device, seconds: float = 0.5, rounds: int = 2) -> dict:
    """Images per second of a forward and backward pass through the probe in fp32 and bf16.
    The two take turns, `rounds` times `seconds` each, and each keeps its best round, so a
    slow spell of a shared machine hits both alike. On the CPU, "cpu_share" is the CPU time
    the probe got over its wall time times its threads (near 1 when it had the cores to
    itself). Uses torch's global random generator: call it before seeding a job."""
    model = FeatureExtractor(PROBE_CHANNELS).to(device, memory_format=torch.channels_last)
    x = torch.rand(PROBE_BATCH, 1, 48, 48, device=device).to(memory_format=torch.channels_last)

    def step(precision):
        with torch.autocast(device.type, torch.bfloat16, enabled=precision == "bf16"):
            loss = model(x).float().square().mean()
        loss.backward()

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    best = {}
    for precision in ("fp32", "bf16"):  # warm-up: oneDNN / cuDNN pick their kernels here
        step(precision)
        step(precision)
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        for precision in ("fp32", "bf16"):
            sync()
            count, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds:
                step(precision)
                count += 1
            sync()
            rate = count * PROBE_BATCH / (time.perf_counter() - start)
            best[precision] = max(best.get(precision, 0.0), rate)
    if device.type == "cpu":
        wall = time.perf_counter() - wall_start
        best["cpu_share"] = (time.process_time() - cpu_start) / (wall * torch.get_num_threads())
    return best


def _read_cache(cache) -> dict:
    """The stored measurements; none if there is no cache or it cannot be read (then the
    probe runs again and the file is rewritten)."""
    if not cache or not Path(cache).is_file():
        return {}
    try:
        known = read_json(cache)
    except (OSError, ValueError) as err:
        log.warning("ignoring the precision cache %s: %s", cache, err)
        return {}
    return known if isinstance(known, dict) else {}


def machine_key(device: torch.device) -> str:
    threads = torch.get_num_threads()
    return f"{device_name(device)} | {device.type} | torch {torch.__version__} | {threads} threads"


def choose(device: torch.device, cache: str | Path | None = None, probe=None) -> dict:
    """The faster precision on `device`: {"choice", "fp32", "bf16" (images/s), "ratio",
    "cached"}. Read from `cache` when this machine was measured before; else measured and
    stored there. CUDA without bf16 support is fp32 without a probe."""
    if device.type == "cuda" and not torch.cuda.is_bf16_supported():
        return {"choice": "fp32", "fp32": None, "bf16": None, "ratio": None, "cached": False}
    key = machine_key(device)
    known = _read_cache(cache).get(key)
    if known is not None:
        if isinstance(known, dict) and known.get("choice") in ("fp32", "bf16"):
            return known | {"cached": True}
        log.warning(
            "ignoring the precision cache's entry for %s in %s (not a measurement: %.80r);"
            " measuring again",
            key,
            cache,
            known,
        )
    rates = (probe or probe_rates)(device)
    ratio = rates["bf16"] / rates["fp32"]
    found = {
        "choice": "bf16" if ratio >= MARGIN else "fp32",
        "fp32": rates["fp32"],
        "bf16": rates["bf16"],
        "ratio": ratio,
        "machine": key,
    }
    log.info(
        "precision probe on %s: fp32 %.0f, bf16 %.0f images/s (%.2fx) -> %s",
        key,
        rates["fp32"],
        rates["bf16"],
        ratio,
        found["choice"],
    )
    share = rates.get("cpu_share")
    if share is not None and share < FAIR_SHARE:
        log.warning(
            "the precision probe got %.0f%% of its %d cores (other work was running): "
            "its choice serves this job only, the next job measures again",
            100 * share,
            torch.get_num_threads(),
        )
        return found | {"cached": False, "cpu_share": share}
    if cache:
        # Re-read just before writing: another job may have stored its machine meanwhile.
        try:
            write_json(cache, _read_cache(cache) | {key: found})
        except OSError as err:  # a read-only folder, a full disk: the choice still holds
            log.warning(
                "cannot store the precision choice in %s (%s); the next job measures again",
                cache,
                err,
            )
    return found | {"cached": False}
