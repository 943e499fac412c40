"""The file layer: complete files or none, no temp files left behind, safe loads, one trainer
per folder."""

import os
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from facevae import files


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_round_trips_and_mode(tmp_path):
    files.write_json(tmp_path / "a" / "m.json", {"x": 1.5})
    files.save_npz(tmp_path / "a.npz", images=np.arange(6, dtype=np.uint8).reshape(2, 3))
    files.save_torch(tmp_path / "s.pt", {"w": torch.ones(2), "epoch": 3, "k": (1, 2)})
    files.write_text(tmp_path / "t.txt", "hello\n")
    assert files.read_json(tmp_path / "a" / "m.json") == {"x": 1.5}
    assert files.load_npz(tmp_path / "a.npz")["images"].tolist() == [[0, 1, 2], [3, 4, 5]]
    state = files.load_torch(tmp_path / "s.pt")
    assert state["epoch"] == 3 and state["k"] == (1, 2) and torch.equal(state["w"], torch.ones(2))
    for name in ("a/m.json", "a.npz", "s.pt", "t.txt"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "a") == []


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "out.json"
    files.write_json(target, {"version": 1})
    with pytest.raises(RuntimeError):
        with files.atomic_path(target) as tmp:
            tmp.write_text('{"version": 2, "half')
            raise RuntimeError("the job died here")
    assert files.read_json(target) == {"version": 1}
    assert leftovers(tmp_path) == []


def test_object_arrays_are_refused_not_pickled(tmp_path):
    with pytest.raises(ValueError):
        files.save_npz(tmp_path / "o.npz", names=np.array([{"a": 1}], dtype=object))
    assert not (tmp_path / "o.npz").exists() and leftovers(tmp_path) == []


WRITER = """
import sys
import numpy as np
from facevae import files
images = np.zeros((4000, 48, 48), np.uint8)  # 9 MB per write: killed mid-write often
print("ready", flush=True)
while True:
    files.save_npz(sys.argv[1], images=images)
"""


def test_temp_files_of_a_killed_writer_are_removed_by_the_next_write(tmp_path):
    target = tmp_path / "faces.npz"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout.readline().strip() == "ready"
    deadline = time.time() + 60
    while time.time() < deadline and not leftovers(tmp_path):  # kill it while a temp exists
        time.sleep(0.001)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert leftovers(tmp_path), "the writer was never caught mid-write"
    files.save_npz(target, images=np.ones((1, 48, 48), np.uint8))  # the rerun
    assert leftovers(tmp_path) == []
    assert files.load_npz(target)["images"].shape == (1, 48, 48)


def test_temp_files_of_live_writers_are_kept(tmp_path):
    live = tmp_path / f".out.json.{files._owner_tag()}.abcd.tmp"  # this very process
    other_host = tmp_path / ".out.json.elsewhere.1.abcd.tmp"
    live.write_text("in progress")
    other_host.write_text("in progress")
    files.write_json(tmp_path / "out.json", {})
    assert live.exists() and other_host.exists()


HOLDER = """
import sys, time
from facevae import files
with files.exclusive(sys.argv[1]):
    print("holding", flush=True)
    time.sleep(60)
"""


def test_a_second_trainer_on_one_folder_fails_clearly(tmp_path):
    lock = tmp_path / "z4_b1" / ".train.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(files.Busy, match=f"held by another running job.*{holder.pid}"):
            with files.exclusive(lock):
                pass
    finally:
        holder.kill()
        holder.wait()
    with files.exclusive(lock):  # released by the kernel when the holder died
        pass


def test_digest_tells_data_apart():
    a = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert files.digest(a) == files.digest(a.copy())
    assert files.digest(a) != files.digest(a[:2])
    assert files.digest(a) != files.digest(a.astype(np.int16))
    b = a.copy()
    b[2, 3] += 1
    assert files.digest(a, a) != files.digest(a, b)


def test_no_other_writer_in_the_project():
    """Scripts and package write only through facevae.files (logs go through logging);
    there is no second atomic writer or torch loader."""
    root = os.path.join(os.path.dirname(__file__), "..")
    offenders = []
    for folder in ("scripts", "src/facevae"):
        for name in sorted(os.listdir(os.path.join(root, folder))):
            if not name.endswith(".py") or name == "files.py":
                continue
            text = open(os.path.join(root, folder, name)).read()
            for needle in ("open(snakemake.output", '"w")', ".write_text(", "savefig("):
                if needle in text:
                    offenders.append(f"{folder}/{name}: {needle}")
            for needle in ("torch.load(", "torch.save(", "os.replace(", "tempfile", "np.savez("):
                if needle in text:  # a second loader or atomic writer
                    offenders.append(f"{folder}/{name}: {needle}")
    assert offenders == []


def test_a_flat_input_list_splits_by_key():
    from facevae.files import split_by

    assert split_by(["a0", "a1", "b0", "b1"], ["a", "b"]) == {"a": ["a0", "a1"], "b": ["b0", "b1"]}
    assert split_by([], []) == {}
    with pytest.raises(ValueError, match="do not split evenly"):
        split_by(["a0", "a1", "b0"], ["a", "b"])


def test_json_is_strict_a_missing_number_is_null(tmp_path):
    """No bare NaN or Infinity on disk: every JSON reader, not only Python's, takes the file."""
    import json
    import math

    from facevae.files import read_json, strict_json, write_json
    from facevae.latex import latex_macros
    from facevae.report import flatten

    summary = {"cnn": {"gender": {"test_accuracy": 0.9, "test_accuracy_seed_sd": math.nan}}}
    summary["vae"] = {"history": [1.0, math.inf, -math.inf]}
    path = tmp_path / "summary.json"
    write_json(path, summary)
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text

    def refuse(constant):
        raise ValueError(f"bare {constant} in strict JSON")

    assert json.loads(text, parse_constant=refuse) == read_json(path)
    back = read_json(path)
    assert back["cnn"]["gender"]["test_accuracy_seed_sd"] is None
    assert back["vae"]["history"] == [1.0, None, None]
    flat = flatten(back["cnn"])
    assert flat["gender.test_accuracy_seed_sd"] is None  # carried, not refused
    assert r"fv@gender.test_accuracy_seed_sd\endcsname{\textemdash{}}" in latex_macros(flat)
    assert strict_json({"x": math.nan}, indent=None) == '{"x": null}'
