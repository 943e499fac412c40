"""The one way the workflow reads and writes its files.

Every output goes through :func:`atomic_path`: the content is written to a temporary file
in the target's own folder, flushed and fsynced, and renamed over the target only when it is
complete. A job that fails or is killed therefore never leaves a half-written output, and a
reader never sees one. The temporary name carries the host and process id
(``.faces.npz.<host>.<pid>.<random>.tmp``); a failure removes it, and after a ``kill -9``
the next write of the same target removes what the dead process left.

Files land with mode 0644 (readable by everyone, as a plain ``open()`` with the usual umask
would leave them), not the 0600 of a bare temporary file.

Loading is safe for files a user could have been handed: npz without pickles, JSON, and
torch files with ``weights_only=True`` (tensors and plain containers only, no code).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import math
import os
import secrets
import shutil
import socket
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

MODE = 0o644
_SUFFIX = ".tmp"


def _temp_prefix(target: Path) -> str:
    return f".{target.name}."


def _owner_tag() -> str:
    return f"{socket.gethostname()}.{os.getpid()}"


def _is_orphan(name: str, prefix: str) -> bool:
    """Whether a temporary file of this target was left by a dead process of this host.

    Temps of other hosts (a shared cluster file system) or of live processes are kept."""
    tag = name[len(prefix) : -len(_SUFFIX)].rsplit(".", 1)[0]  # "<host>.<pid>"
    host, _, pid = tag.rpartition(".")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by someone else
        return False
    return False


def remove_orphans(target) -> list[Path]:
    """Delete temporary files of ``target`` whose writer died (see module docstring)."""
    target = Path(target)
    prefix = _temp_prefix(target)
    removed = []
    if not target.parent.is_dir():
        return removed
    for path in target.parent.iterdir():
        name = path.name
        if name.startswith(prefix) and name.endswith(_SUFFIX) and _is_orphan(name, prefix):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


@contextlib.contextmanager
def atomic_path(target) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; when the block ends without an error, the
    file written there is fsynced and renamed to ``target``. On any error it is removed.

    For writers that insist on a path (matplotlib, np.savez, torch.save)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_orphans(target)
    tmp = target.with_name(f"{_temp_prefix(target)}{_owner_tag()}.{secrets.token_hex(4)}{_SUFFIX}")
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, MODE)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes(path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def strict_json(obj, indent: int | None = 2) -> str:
    """``obj`` as strict JSON: a number that is not finite (NaN, an infinity) becomes null, so
    that every JSON reader accepts the file (Python's own would write a bare NaN)."""
    return json.dumps(_finite(obj), indent=indent, allow_nan=False)


def _finite(obj):
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {key: _finite(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(value) for value in obj]
    return obj


def write_json(path, obj, indent: int | None = 2) -> None:
    """``obj`` as strict JSON (``strict_json``), written atomically; a missing number reads
    back as None."""
    write_text(path, strict_json(obj, indent) + "\n")


class DamagedFile(ValueError):
    """A file the workflow made cannot be read back: cut short or damaged on disk."""

    def __init__(self, path, error: Exception):
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        super().__init__(
            f"{path} cannot be read ({type(error).__name__}: {reason}): it is damaged or was cut"
            " short. Delete it and run the same command again; Snakemake makes it anew"
            " (with the jobs that depend on it)."
        )


def read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DamagedFile(path, error) from None


def save_npz(path, **arrays) -> None:
    """Arrays to an uncompressed .npz (no object arrays: it must load without pickle)."""
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    write_bytes(path, buffer.getvalue())


def load_npz(path) -> dict[str, np.ndarray]:
    """Every array of an .npz file (no pickle); a damaged file raises DamagedFile."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return dict(archive)
    except (zipfile.BadZipFile, EOFError, ValueError, zlib.error) as error:
        raise DamagedFile(path, error) from None


def save_torch(path, obj) -> None:
    """A torch state (tensors in plain dicts, lists and numbers) for :func:`load_torch`."""
    import torch

    buffer = io.BytesIO()
    torch.save(obj, buffer)
    write_bytes(path, buffer.getvalue())


def load_torch(path, map_location="cpu"):
    """Load a torch file without running code from it (``weights_only=True``)."""
    import pickle

    import torch

    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except (RuntimeError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile) as error:
        raise DamagedFile(path, error) from None


def copy_file(source, target) -> None:
    """Copy ``source`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


def save_figure(fig, path) -> None:
    """A matplotlib figure to ``path`` (format from its suffix)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".") or None)


class Busy(RuntimeError):
    """Another live process holds the lock of a folder this job wants to write."""


@contextlib.contextmanager
def exclusive(lock_file) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file`` for the ``with`` block, or raise :class:`Busy`.

    Two jobs on one model folder (an orphan left by a killed Snakemake and a rerun, say)
    would otherwise interleave their resume states. The lock is ``flock``: the kernel drops
    it when the holder exits, however it exits, so a stale lock file blocks nothing.
    """
    lock_file = Path(lock_file)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
            raise Busy(
                f"{lock_file} is held by another running job (process {holder}); wait for "
                "it to finish or stop it, then run the workflow again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{_owner_tag()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def digest(*arrays: np.ndarray) -> str:
    """SHA-256 of the arrays' shapes, types and bytes: equal digests, equal data."""
    h = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        h.update(f"{array.dtype.str}{array.shape};".encode())
        h.update(array.data)
    return h.hexdigest()


def file_sha256(path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, as published checksums are given."""
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            h.update(block)
    return h.hexdigest()


def split_by(items: list, keys: list) -> dict[str, list]:
    """A rule's flat list of inputs, key-major (all files of the first key, then the next's,
    each key with as many), as {key: its items}."""
    per_key, rest = divmod(len(items), max(len(keys), 1))
    if rest:
        raise ValueError(f"{len(items)} inputs do not split evenly over {list(keys)}")
    return {key: list(items[k * per_key : (k + 1) * per_key]) for k, key in enumerate(keys)}
