"""One GPU per training job on a workstation with several GPUs.

``snakemake --resources gpu=N`` only counts GPUs: it lets N training jobs run at once but does
not say which device each one should use, so without help they would all land on ``cuda:0``.
:func:`claim_device` hands each job a device of its own through one lock file per device
(``fcntl.flock``, released by the kernel even when the job is killed). On a cluster the
scheduler already does this by setting ``CUDA_VISIBLE_DEVICES`` (SLURM does for ``--gpus``);
then, and on machines without CUDA devices, it does nothing and yields ``None``::

    with claim_device(torch.cuda.device_count(), ".snakemake/gpu_locks") as index:
        device = torch.device("cpu" if index is None else f"cuda:{index}")
        ...  # train; the device stays claimed until the block ends

No torch import here: the caller passes the device count, so this is testable on a CPU.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEDULER_VARIABLE = "CUDA_VISIBLE_DEVICES"


def lock_path(lock_dir: str | os.PathLike, index: int) -> Path:
    """The lock file of device ``index``."""
    return Path(lock_dir) / f"gpu{index}.lock"


def try_claim(n_devices: int, lock_dir: str | os.PathLike) -> tuple[int, int] | None:
    """Lock the first free device without waiting: (index, open lock fd), or None if all
    ``n_devices`` are taken. Closing the fd releases the device."""
    Path(lock_dir).mkdir(parents=True, exist_ok=True)
    for index in range(n_devices):
        fd = os.open(lock_path(lock_dir, index), os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        except BaseException:
            os.close(fd)
            raise
        # Who holds it, for a person looking at the lock directory (not read back).
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return index, fd
    return None


@contextmanager
def claim_device(
    n_devices: int,
    lock_dir: str | os.PathLike,
    *,
    poll_seconds: float = 2.0,
    timeout: float | None = None,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[int | None]:
    """Claim a free GPU for the duration of the ``with`` block and yield its index.

    Yields ``None`` without locking anything when ``CUDA_VISIBLE_DEVICES`` is set (a
    scheduler such as SLURM chose the devices; use the default ``cuda`` device) or when
    ``n_devices`` < 1 (no CUDA). Otherwise tries devices 0..n_devices-1 in turn and, when
    all are held by other jobs, polls every ``poll_seconds`` until one is released;
    ``on_wait`` is called once before the first wait (e.g. to log it). Raises TimeoutError
    after ``timeout`` seconds of waiting (default: wait for ever). Jobs that share GPUs must
    use the same ``lock_dir`` on a local file system.
    """
    if SCHEDULER_VARIABLE in os.environ or n_devices < 1:
        yield None
        return
    deadline = None if timeout is None else time.monotonic() + timeout
    claimed = try_claim(n_devices, lock_dir)
    if claimed is None and on_wait is not None:
        on_wait()
    while claimed is None:
        if deadline is not None and time.monotonic() >= deadline:
            raise TimeoutError(
                f"all {n_devices} GPUs stayed claimed for {timeout} s (locks in {lock_dir})"
            )
        wait = poll_seconds if deadline is None else min(poll_seconds, deadline - time.monotonic())
        time.sleep(max(wait, 0))
        claimed = try_claim(n_devices, lock_dir)
    index, fd = claimed
    try:
        yield index
    finally:
        os.close(fd)  # closing the only descriptor drops the flock
