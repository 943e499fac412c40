"""Checks on the real UTKFace table; they run wherever ../shared/data holds it (CI does)."""

import numpy as np
import pytest
from conftest import REAL_CSV

from facevae.data import load_faces, quality_report, split_indices

pytestmark = pytest.mark.skipif(not REAL_CSV.exists(), reason=f"{REAL_CSV} not present")


@pytest.fixture(scope="module")
def faces():
    return load_faces(REAL_CSV)


def test_counts_match_the_paper(faces):
    report = quality_report(faces)
    assert report["rows"] == 23705
    assert report["ethnicity"] == {
        "white": 10078,
        "black": 4526,
        "east_asian": 3434,
        "south_asian": 3975,
        "other": 1692,
    }
    assert report["gender"] == {"male": 12391, "female": 11314}
    assert report["age_median"] == 29
    assert (report["duplicate_groups"], report["duplicate_rows"]) == (375, 765)
    assert report["conflicting_groups"] == 259


def test_real_split_keeps_duplicates_together(faces):
    parts = split_indices(faces["group"], [0.7, 0.2, 0.1], seed=42)
    owner = np.full(faces["group"].max() + 1, -1)
    for k, index in enumerate(parts.values()):
        groups = np.unique(faces["group"][index])
        assert (owner[groups] == -1).all()
        owner[groups] = k
    assert abs(len(parts["test"]) - 2370) < 20
