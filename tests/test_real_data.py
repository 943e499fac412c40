"""Checks on the real UTKFace table; they run wherever ../shared/data holds it (CI does)."""

import numpy as np
import pytest
from conftest import REAL_CSV

from facevae.data import load_faces, quality_report, split_indices
from facevae.groups import group_report, join_groups, near_pairs

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


def test_no_test_face_has_a_near_copy_in_training(faces):
    pairs, mse = near_pairs(faces["images"], 1e-3)
    group = join_groups(faces["group"], pairs)
    report = group_report(faces, group, pairs, mse, 1e-3)
    # Measured on this table: 544 near pairs beyond the exact copies join 902 more rows.
    assert report["exact_groups"] == 375 and report["near_only_rows"] > 500
    part = np.empty(len(group), int)
    for k, index in enumerate(split_indices(group, [0.7, 0.2, 0.1], seed=42).values()):
        part[index] = k
    assert np.all(part[pairs[:, 0]] == part[pairs[:, 1]])
    # The exact-copy split alone lets near-copies straddle train and test.
    exact = np.empty(len(group), int)
    for k, index in enumerate(split_indices(faces["group"], [0.7, 0.2, 0.1], seed=42).values()):
        exact[index] = k
    leaks = {tuple(sorted(exact[p])) for p in pairs} & {(0, 2)}
    assert leaks
