"""Speed of the workflow's hot paths, measured against textbook baselines in the same run.

    python -m facevae.bench [--csv PATH] [--images N] [--threads T]

Prints a readable table on stderr and one JSON object on stdout. Nothing here passes or fails:
the numbers are for reading (README, issue notes), because timings on a shared machine are
noisy. Each training figure is the median of several timed epochs after a warm-up epoch.

- Precision: with ``--precision auto`` (the default) the probe that training jobs use times
  fp32 and bf16 here (``facevae.precision``) and the workflow loops run in the faster.
- Chapter 3's improved VAE (ResVAE) in the workflow's loop, against chapter 2's VAE in the
  same loop, the two taking turns: what a run of the recipe costs beside one of the original's.
- CNN / VAE training: the workflow's own loops (``train_cnn``, ``train_vae`` with that
  precision and their memory format) against a reference loop written here the usual way:
  a DataLoader over a TensorDataset, fp32, NCHW, plain Adam, the original's layer order, same
  architecture and batch size. The two take turns epoch by epoch.
- FLOPs per image (forward, from ``torch.utils.flop_counter``; a training step is counted as
  three forwards), the GFLOP/s each loop achieves, and the machine's matmul peak in fp32 and
  bf16 for scale.
- Ingest of the real table: ``facevae.data.load_faces`` against pandas + ``str.split`` per row.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.flop_counter import FlopCounterMode

from facevae.cnn import build_cnn
from facevae.cnn_train import TrainConfig, train_cnn
from facevae.files import strict_json
from facevae.precision import choose
from facevae.runtime import image_tensor, keep_freed_memory, prepare
from facevae.synthetic import make_faces
from facevae.vae import build_vae, vae_loss
from facevae.vae_train import VAETrainConfig, train_vae


def matmul_peak(dtype: torch.dtype, n: int = 2048, seconds: float = 1.0) -> float:
    """GFLOP/s of a square matmul, a practical ceiling for dense layers and convolutions."""
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b  # warm-up
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        count += 1
    return 2 * n**3 * count / (time.perf_counter() - start) / 1e9


def forward_flops(model: torch.nn.Module, batch: int = 8) -> float:
    """Forward FLOPs per 48x48 image (multiply-add = 2 FLOPs)."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model.eval()(torch.rand(batch, 1, 48, 48))
    return counter.get_total_flops() / batch


def _faces(images: int):
    faces = make_faces(images, seed=0)
    return image_tensor(faces["images"], "cpu"), torch.from_numpy(faces["gender"])


# Chapter 3's improved VAE as configs/cpu.yaml trains it (config.yaml, beyond.vae_recipe).
RESVAE = {"arch": "res", "channels": (32, 64, 128), "blocks": 1}


def _network(kind: str) -> torch.nn.Module:
    """The benchmarked network: the gender CNN, the latent-256 VAE of chapter 2 ("vae") or
    chapter 3's improved VAE of the same latent size ("resvae")."""
    if kind == "cnn":
        return build_cnn("gender")
    return build_vae(latent=256, **(RESVAE if kind == "resvae" else {}))


def _loop_worker(conn, role: str, kind: str, images: int, batch_size: int, precision: str):
    """Child process running one loop an epoch at a time, on request, and sending back the
    seconds it took. The workflow's loop gets the process settings the training scripts apply."""
    torch.set_num_threads(conn.recv())
    x, y = _faces(images)
    if role == "workflow":
        keep_freed_memory()
        epoch = workflow_loop(kind, x, y, batch_size, precision)
    else:
        epoch = reference_loop(kind, x, y, batch_size)
    while conn.recv():
        start = time.perf_counter()
        epoch()
        conn.send(time.perf_counter() - start)


def _rates(loops: dict, images: int, batch_size: int, precision: str, epochs: int) -> dict:
    """Training images/s of each loop, median of ``epochs``: ``loops`` maps a name to
    (role, kind), role "reference" (the textbook loop) or "workflow".

    Each loop runs in a process of its own (so process-wide settings such as the allocator's
    stay with the loop they belong to), and they take turns epoch by epoch after one warm-up
    epoch each, so a slow spell of a shared machine hits all rather than one.
    """
    context = multiprocessing.get_context("spawn")
    pipes = {}
    for name, (role, kind) in loops.items():
        parent, child = context.Pipe()
        args = (child, role, kind, images, batch_size, precision)
        context.Process(target=_loop_worker, args=args, daemon=True).start()
        parent.send(torch.get_num_threads())
        pipes[name] = parent
    times = {name: [] for name in pipes}
    try:
        for repeat in range(epochs + 1):
            for name, pipe in pipes.items():
                pipe.send(True)
                seconds = pipe.recv()
                if repeat:  # the first round is the warm-up
                    times[name].append(seconds)
    finally:
        for pipe in pipes.values():
            pipe.send(False)
    return {name: images / statistics.median(t) for name, t in times.items()}


def textbook_model(kind: str) -> torch.nn.Module:
    """The network as the original wrote it: conv -> ReLU -> max-pool -> BN in every block
    (the workflow pools first; same function, same parameters)."""
    model = _network(kind)
    for block in model.features.blocks:
        block[1], block[2] = block[2], block[1]
    return model


def reference_loop(kind: str, x, y, batch_size: int):
    """Textbook loop: DataLoader(TensorDataset), fp32, NCHW, plain Adam; one epoch per call."""
    torch.manual_seed(0)
    model = textbook_model(kind)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)

    def epoch():
        model.train()
        for xb, yb in loader:
            if kind == "cnn":
                loss = F.cross_entropy(model(xb), yb)
            else:
                logits, mu, logvar = model(xb)
                loss = vae_loss(logits, xb, mu, logvar, beta=1.0)[0]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss.item()  # the usual per-batch read-out for logging

    return epoch


def workflow_loop(kind: str, x, y, batch_size: int, precision: str):
    """The workflow's own training function, one epoch per call, on the same data."""
    torch.manual_seed(0)
    cpu = torch.device("cpu")
    if kind == "cnn":
        model = prepare(build_cnn("gender"), cpu)
        cfg = TrainConfig(epochs=1, batch_size=batch_size, precision=precision, log_every=10**9)
        return lambda: train_cnn(model, "gender", (x, y), (x[:256], y[:256]), cfg)
    model = prepare(_network(kind), cpu)
    cfg = VAETrainConfig(epochs=1, batch_size=batch_size, precision=precision, log_every=10**9)
    return lambda: train_vae(model, x, x[:256], cfg)


def ingest_times(path, threads: int, repeats: int = 2) -> dict:
    """Seconds to parse the table: ours against pandas with one str.split per row.

    The two alternate and each keeps its best of ``repeats``, so neither gains from running
    second with the file already in the page cache.
    """
    import pandas as pd

    from facevae.data import load_faces

    def naive():
        table = pd.read_csv(path)
        np.stack(table["pixels"].map(lambda s: np.array(s.split(), dtype=np.uint8)).to_list())

    ours, theirs = [], []
    for _ in range(repeats):
        for times, parse in ((ours, lambda: load_faces(path, threads)), (theirs, naive)):
            start = time.perf_counter()
            parse()
            times.append(time.perf_counter() - start)
    return {
        "ingest_seconds": min(ours),
        "naive_seconds": min(theirs),
        "ingest_speedup": min(theirs) / min(ours),
    }


def run(images: int, epochs: int, precision: str, csv=None) -> dict:
    result = {
        "threads": torch.get_num_threads(),
        "precision": precision,
        "matmul_peak_gflops_fp32": matmul_peak(torch.float32),
        "matmul_peak_gflops_bf16": matmul_peak(torch.bfloat16),
    }
    for kind, batch_size in (("cnn", 64), ("vae", 128)):
        flops = 3 * forward_flops(_network(kind))  # forward + backward ~ 3 forwards
        loops = {role: (role, kind) for role in ("reference", "workflow")}
        rates = _rates(loops, images, batch_size, precision, epochs)
        ref, ours = rates["reference"], rates["workflow"]
        result |= {
            f"{kind}_train_gflop_per_image": flops / 1e9,
            f"{kind}_reference_images_per_s": ref,
            f"{kind}_workflow_images_per_s": ours,
            f"{kind}_speedup": ours / ref,
            f"{kind}_reference_gflops": ref * flops / 1e9,
            f"{kind}_workflow_gflops": ours * flops / 1e9,
        }
    # Chapter 3's improved VAE against chapter 2's, both in the workflow's loop: what a
    # training run of the recipe costs beside one of the original's architecture.
    loops = {kind: ("workflow", kind) for kind in ("vae", "resvae")}
    rates = _rates(loops, images, 128, precision, epochs)
    flops = 3 * forward_flops(_network("resvae"))
    result |= {
        "resvae_train_gflop_per_image": flops / 1e9,
        "resvae_workflow_images_per_s": rates["resvae"],
        "resvae_vs_vae_speed": rates["resvae"] / rates["vae"],
        "resvae_workflow_gflops": rates["resvae"] * flops / 1e9,
    }
    if csv:
        result |= ingest_times(csv, torch.get_num_threads())
    return result


def table(result: dict) -> str:
    lines = [f"{'measure':<34}{'value':>12}"]
    for key, value in result.items():
        shown = f"{value:.3g}" if isinstance(value, float) else str(value)
        lines.append(f"{key:<34}{shown:>12}")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", help="real table to time the ingest on (optional)")
    parser.add_argument("--images", type=int, default=2048, help="training images per epoch")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per loop (median)")
    parser.add_argument(
        "--precision",
        default="auto",
        choices=["auto", "bf16", "fp32"],
        help="workflow loop's arithmetic; auto times the workflow's probe in fp32 and bf16 "
        "here and takes the faster, as training jobs do (facevae.precision)",
    )
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    probe = {}
    if args.precision == "auto":  # measured afresh, not read from a job's cache
        found = choose(torch.device("cpu"), cache=None)
        probe = {
            "probe_fp32_images_per_s": found["fp32"],
            "probe_bf16_images_per_s": found["bf16"],
            "probe_bf16_ratio": found["ratio"],
            "auto_choice": found["choice"],
        }
    precision = probe.get("auto_choice", args.precision)
    result = probe | run(args.images, args.epochs, precision, args.csv)
    print(table(result), file=sys.stderr)
    print(strict_json(result, indent=None))


if __name__ == "__main__":
    main()
