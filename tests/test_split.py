"""The split: sizes near 7:2:1, every row once, duplicate groups inside one part, seeded."""

import numpy as np
import pytest

from facevae.data import MIN_PART_FACES, DataError, split_indices


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


def test_fractions_must_be_three_positive_summing_to_one():
    group = np.arange(1000)
    parts = split_indices(group, [0.7, 0.2, 0.1], seed=0)
    assert [len(p) for p in parts.values()] == [700, 200, 100]
    # Within the tolerance is fine (config files hold decimals such as 0.33).
    assert sum(len(p) for p in split_indices(group, [0.34, 0.33, 0.33 + 4e-7], 0).values()) == 1000
    with pytest.raises(DataError, match=r"fractions \[7.0, 2.0, 1.0\] sum to 10;.*sum to 1"):
        split_indices(group, [7, 2, 1], seed=0)
    with pytest.raises(DataError, match=r"\[0.7, 0.2, 0.2\] sum to 1.1;"):
        split_indices(group, [0.7, 0.2, 0.2], seed=0)
    for bad in (
        [0.5, 0.5],
        [0.5, 0.25, 0.25, 0.0],
        [1.2, -0.1, -0.1],
        [0.8, 0.2, 0],
        [0.5, 0.5, np.nan],
    ):
        with pytest.raises(DataError, match="three positive"):
            split_indices(group, bad, seed=0)


def test_cut_points_come_from_fractions_divided_by_their_sum():
    # [0.7, 0.2, 0.1] sums to 0.9999999999999999; dividing by it puts the second cut of
    # 23,705 single rows just above 21334.5 (the real table's size), so the row whose
    # midpoint is exactly there goes to val. The real split depends on this.
    parts = split_indices(np.arange(23705), [0.7, 0.2, 0.1], seed=0)
    assert [len(p) for p in parts.values()] == [16594, 4741, 2370]


@pytest.mark.parametrize(
    ("group", "fractions", "counts"),
    [
        (np.array([0]), [0.7, 0.2, 0.1], "train 1, val 0, test 0"),
        (np.zeros(50, dtype=np.int64), [0.7, 0.2, 0.1], "train 50, val 0, test 0"),
        (np.arange(20), [0.98, 0.01, 0.01], "train 20, val 0, test 0"),
        (np.array([0, 0, 0, 0, 1, 2]), [0.5, 0.3, 0.2], "train 5, val 0, test 1"),
        (np.array([], dtype=np.int64), [0.7, 0.2, 0.1], "train 0, val 0, test 0"),
    ],
    ids=["one-row", "one-group", "tiny-fractions", "big-group", "no-rows"],
)
def test_a_part_without_faces_is_an_error(group, fractions, counts):
    with pytest.raises(DataError) as err:
        split_indices(group, fractions, seed=0)
    message = str(err.value)
    assert counts in message
    assert f"at least {MIN_PART_FACES}" in message
    assert "too few rows or duplicate groups" in message
