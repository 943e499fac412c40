"""The split: sizes near 7:2:1, every row once, duplicate groups inside one part, seeded."""

import numpy as np
import pytest

from facevae.data import split_indices


def groups_with_duplicates(n=5000, seed=0):
    rng = np.random.default_rng(seed)
    group = np.arange(n)
    copies = rng.choice(n, 300, replace=False)
    group[copies] = rng.choice(n, 300)  # 300 rows become copies of other rows
    _, group = np.unique(group, return_inverse=True)
    return group


def test_sizes_cover_and_fractions():
    group = groups_with_duplicates()
    parts = split_indices(group, [0.7, 0.2, 0.1], seed=3)
    together = np.concatenate(list(parts.values()))
    assert sorted(together.tolist()) == list(range(len(group)))
    for name, share in zip(("train", "val", "test"), (0.7, 0.2, 0.1)):
        assert abs(len(parts[name]) / len(group) - share) < 0.01


def test_no_group_in_two_parts():
    group = groups_with_duplicates()
    parts = split_indices(group, [0.7, 0.2, 0.1], seed=3)
    seen = [set(group[index].tolist()) for index in parts.values()]
    assert not (seen[0] & seen[1]) and not (seen[0] & seen[2]) and not (seen[1] & seen[2])


def test_seeded():
    group = groups_with_duplicates()
    a = split_indices(group, [0.7, 0.2, 0.1], seed=5)
    b = split_indices(group, [0.7, 0.2, 0.1], seed=5)
    c = split_indices(group, [0.7, 0.2, 0.1], seed=6)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["test"], c["test"])


def test_unnormalised_fractions_and_bad_fractions():
    group = np.arange(1000)
    parts = split_indices(group, [7, 2, 1], seed=0)
    assert [len(p) for p in parts.values()] == [700, 200, 100]
    with pytest.raises(ValueError, match="three positive"):
        split_indices(group, [0.5, 0.5], seed=0)
