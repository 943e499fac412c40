"""Shared fixtures: small face tables written in the real table's CSV format."""

from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_CSV = REPO.parent / "shared" / "data" / "age_gender.csv.gz"


def table_text(n=4, seed=0, pixels=None) -> str:
    """CSV text with n valid rows; `pixels` (list of strings) overrides the pixel fields."""
    rng = np.random.default_rng(seed)
    lines = ["age,ethnicity,gender,img_name,pixels"]
    for i in range(n):
        pix = pixels[i] if pixels else " ".join(map(str, rng.integers(0, 256, 2304)))
        lines.append(f"{20 + i},{i % 5},{i % 2},face_{i}.jpg,{pix}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def write_table(tmp_path):
    """Write CSV text to a file in tmp_path and return its path."""

    def write(text: str, name="faces.csv", encoding="utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write
