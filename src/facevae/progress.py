"""How far a training job is, how fast it goes and when it will end.

One training job owns one :class:`Progress`. The training loop calls it at the points where it
already logs (every ``log_every`` batches, after a host sync) and at the end of each epoch, so
it adds no device synchronisation of its own. Each call

* returns the text that ends the loop's log line, e.g.
  ``| 254 images/s, 6 min 40 s left (ends 14:05)``,
* rewrites the job's status file (JSON, atomically through :mod:`facevae.files`), which
  ``python -m facevae.status`` reads, and
* at the end of an epoch, prints one line to stderr, which Snakemake shows on the console::

    [train_vae z256_b0.01 seed0] epoch 3/10: 254 images/s, about 6 min left (ends 14:05)

The rate counts only the images this process trained (epochs resumed from a saved state are
excluded) over the time it spent in the training batches. The time left is the remaining
images at that rate plus, for each remaining epoch, the mean time the job spent per epoch
outside the batches (validation and the resume checkpoint), once one epoch has shown it.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

from facevae.files import write_json

STATUS_SUFFIX = ".progress.json"


def status_path(log_path) -> Path:
    """The status file beside a job's log: ``train_x.log`` -> ``train_x.progress.json``."""
    log_path = Path(log_path)
    stem = log_path.name[: -len(".log")] if log_path.name.endswith(".log") else log_path.name
    return log_path.with_name(stem + STATUS_SUFFIX)


def duration(seconds: float, coarse: bool = False) -> str:
    """A duration for people: "45 s", "6 min 40 s", "2 h 05 min", "3 d 04 h".

    Two units at most; ``coarse`` keeps only the larger one below an hour ("6 min")."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        minutes, rest = divmod(s, 60)
        return f"{minutes} min" if coarse else f"{minutes} min {rest:02d} s"
    if s < 86400:
        hours, rest = divmod(s, 3600)
        return f"{hours} h {rest // 60:02d} min"
    days, rest = divmod(s, 86400)
    return f"{days} d {rest // 3600:02d} h"


def clock_time(unix: float, now: float | None = None) -> str:
    """Local clock time of ``unix``: "14:05" today, "Tue 14:05" on another day."""
    when = time.localtime(unix)
    today = time.localtime(time.time() if now is None else now)
    if when[:3] == today[:3]:
        return time.strftime("%H:%M", when)
    if unix - (time.time() if now is None else now) < 6 * 86400:
        return time.strftime("%a %H:%M", when)
    return time.strftime("%Y-%m-%d %H:%M", when)


class Progress:
    """Progress of one training job; see the module docstring.

    ``epochs`` is the total the job trains to, ``start_epoch`` the epochs already done when
    it starts (a resumed run; the loop may set it later through :meth:`begin`), ``batches``
    and ``images`` the batches and training images of one epoch, ``status`` the status file
    (None: none is written), ``clock`` a function giving unix seconds (tests pass a fake one)
    and ``stream`` where the epoch lines go.
    """

    def __init__(
        self,
        name: str,
        epochs: int,
        batches: int,
        images: int,
        status=None,
        start_epoch: int = 0,
        clock: Callable[[], float] = time.time,
        stream=None,
    ):
        self.name, self.epochs, self.batches, self.images = name, epochs, batches, images
        self.status = None if status is None else Path(status)
        self.clock, self.stream = clock, stream
        self.start_epoch = start_epoch
        self.started = clock()
        self.epoch = start_epoch  # 0-based index of the epoch in progress
        self.batch = 0  # batches of it done
        self.finished = False
        self._train_seconds = 0.0  # in the batches of finished epochs (this process only)
        self._epochs_trained = 0  # epochs whose batches this process ran
        self._epochs_done = 0  # ... and that were also validated
        self._epoch_start: float | None = None
        self._images_per_s: float | None = None
        self._seconds_left: float | None = None

    # The loop's calls, in order: begin, then per epoch epoch_started, batch (at log lines),
    # trained (batches done, validation next), epoch_done; finally finish.

    def begin(self, start_epoch: int | None = None) -> None:
        """Training starts (after a resume state was read: ``start_epoch`` epochs done)."""
        if start_epoch is not None:
            self.start_epoch = start_epoch
        self.started = self.clock()
        self.epoch, self.batch = self.start_epoch, 0
        self._write()

    def epoch_started(self, epoch: int) -> None:
        self.epoch, self.batch = epoch, 0
        self._epoch_start = self.clock()

    def batch_done(self, epoch: int, batch: int) -> str:
        """At a log line, ``batch`` batches of 0-based ``epoch`` done: the log line's tail."""
        now = self.clock()
        self.epoch, self.batch = epoch, batch
        train_seconds = self._train_seconds + (now - self._epoch_start)
        done = self._epochs_trained * self.images + self.images * batch / self.batches
        left = (self.epochs - epoch) * self.images - self.images * batch / self.batches
        self._estimate(now, done, train_seconds, left, self.epochs - epoch)
        self._write(now)
        return "| " + self._summary(now)

    def trained(self, epoch: int) -> None:
        """The batches of ``epoch`` are done; validation follows."""
        now = self.clock()
        self.epoch, self.batch = epoch, self.batches
        self._train_seconds += now - self._epoch_start
        self._epochs_trained += 1

    def epoch_done(self, epoch: int) -> str:
        """``epoch`` is validated: status file, one stderr line; returns the log line's tail."""
        now = self.clock()
        self.epoch, self.batch = epoch, self.batches
        self._epochs_done += 1
        done = self._epochs_trained * self.images
        left = (self.epochs - epoch - 1) * self.images
        self._estimate(now, done, self._train_seconds, left, self.epochs - epoch - 1)
        self._write(now)
        if epoch + 1 == self.epochs:
            tail = "training done"
        elif self._seconds_left is None:
            tail = "time left unknown"
        else:
            tail = f"about {duration(self._seconds_left, coarse=True)} left{self._ends(now)}"
        self._print(f"epoch {epoch + 1}/{self.epochs}: {self._rate_text()}, {tail}")
        return "| " + self._summary(now)

    def finish(self) -> None:
        """Training is over: the status file says finished, and one last stderr line."""
        now = self.clock()
        self.finished = True
        self.epoch, self.batch, self._seconds_left = max(self.epochs - 1, 0), self.batches, 0.0
        self._write(now)
        trained = self.epochs - self.start_epoch
        if trained <= 0:
            self._print(f"nothing to train: {self.epochs} epochs were already done")
            return
        resumed = f" (resumed after epoch {self.start_epoch})" if self.start_epoch else ""
        self._print(
            f"finished: {trained} epochs in {duration(now - self.started)}, "
            f"{self._rate_text()}{resumed}"
        )

    # Arithmetic and output.

    def _estimate(self, now, done, train_seconds, images_left, validations_left) -> None:
        self._images_per_s = done / train_seconds if done > 0 and train_seconds > 0 else None
        if self._images_per_s is None:
            self._seconds_left = None
            return
        seconds = images_left / self._images_per_s
        if self._epochs_done:
            # Time outside the batches so far (validation, checkpoints), per validated epoch.
            outside = (now - self.started) - train_seconds
            seconds += validations_left * max(outside, 0.0) / self._epochs_done
        self._seconds_left = seconds

    def _rate_text(self) -> str:
        return "? images/s" if self._images_per_s is None else f"{self._images_per_s:.0f} images/s"

    def _ends(self, now) -> str:
        if self._seconds_left is None:
            return ""
        return f" (ends {clock_time(now + self._seconds_left, now)})"

    def _summary(self, now) -> str:
        if self._seconds_left is None:
            return f"{self._rate_text()}, time left unknown"
        left = duration(self._seconds_left)
        return f"{self._rate_text()}, {left} left{self._ends(now)}"

    def _print(self, text: str) -> None:
        print(f"[{self.name}] {text}", file=self.stream or sys.stderr, flush=True)

    def state(self, now: float | None = None) -> dict:
        """What the status file holds; ``epoch`` is 1-based (the epoch in progress)."""
        now = self.clock() if now is None else now
        left = self._seconds_left
        return {
            "name": self.name,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": self.started,
            "updated": now,
            "epoch": self.epoch + 1,
            "epochs": self.epochs,
            "start_epoch": self.start_epoch,
            "batch": self.batch,
            "batches": self.batches,
            "images_per_s": self._images_per_s,
            "seconds_left": left,
            "expected_end": None if left is None else now + left,
            "finished": self.finished,
        }

    def _write(self, now: float | None = None) -> None:
        if self.status is not None:
            write_json(self.status, self.state(now))


def vae_seconds_per_face(
    model_args: dict, batch_size: int, threads: int, precision: str = "auto", steps: int = 3
) -> float:
    """Measured seconds of one VAE training step per face on the CPU, in the precision the
    jobs will use (a warm-up step, then `steps` timed ones on random faces): what the warning
    before a long CPU run rests on."""
    import torch

    from facevae.runtime import adam, autocast, keep_freed_memory, prepare, resolve_precision
    from facevae.vae import build_vae, vae_loss

    torch.set_num_threads(threads)
    keep_freed_memory()
    cpu = torch.device("cpu")
    precision = resolve_precision(precision, cpu)
    model = prepare(build_vae(**model_args), cpu)
    optimizer = adam(model.parameters(), 1e-3)
    x = prepare(torch.rand(batch_size, 1, 48, 48), cpu)
    for step in range(steps + 1):
        if step == 1:
            start = time.perf_counter()
        with autocast(cpu, precision):
            logits, mu, logvar = model(x)
        loss, _, _ = vae_loss(logits.float(), x, mu.float(), logvar.float(), 1.0, "mse")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return (time.perf_counter() - start) / (steps * batch_size)
