"""Exact and near-copy groups: planted near-copies are found, chains join, no group straddles
the split, and the pooled pre-filter misses nothing the full comparison would find."""

import numpy as np
import pytest

from facevae.data import duplicate_groups, split_indices
from facevae.groups import group_report, join_groups, near_pairs
from facevae.synthetic import make_faces


def brute_force_pairs(images, max_mse):
    x = images.reshape(len(images), -1).astype(np.float64) / 255
    mse = ((x[:, None] - x[None]) ** 2).mean(axis=2)
    i, j = np.nonzero(np.triu(mse <= max_mse, k=1))
    return {(int(a), int(b)) for a, b in zip(i, j)}


@pytest.fixture(scope="module")
def planted():
    """Synthetic faces with near-copies planted: noise of RMS ~3 grey levels (MSE ~1.4e-4)
    and a one-pixel shift of a smooth face, plus one exact copy."""
    faces = make_faces(300, seed=3, duplicate_fraction=0)
    images = faces["images"].copy()
    rng = np.random.default_rng(0)
    noisy = np.clip(images[10].astype(int) + rng.integers(-5, 6, images[10].shape), 0, 255)
    images[200] = noisy.astype(np.uint8)  # near-copy of face 10
    images[201] = images[10]  # exact copy of face 10
    images[202] = np.clip(images[20].astype(int) + 2, 0, 255).astype(np.uint8)  # brighter 20
    images[203] = np.clip(images[202].astype(int) + 2, 0, 255).astype(np.uint8)  # chain 20~202~203
    faces["images"] = images
    return faces


def test_planted_near_copies_are_found(planted):
    pairs, mse = near_pairs(planted["images"], 1e-3, block=64)
    found = {tuple(p) for p in pairs.tolist()}
    assert {(10, 200), (10, 201), (200, 201), (20, 202), (202, 203)} <= found
    assert np.all(mse <= 1e-3) and mse[pairs.tolist().index([10, 201])] == 0


def test_pooled_search_equals_brute_force():
    rng = np.random.default_rng(1)
    base = rng.integers(0, 256, (40, 48, 48))
    # Copies with noise of several sizes, so pairs fall on both sides of the threshold.
    noise = rng.normal(0, 1, base.shape) * rng.uniform(2, 20, (40, 1, 1))
    images = np.clip(np.concatenate([base, base + noise]), 0, 255).astype(np.uint8)
    for max_mse in (0, 1e-3, 3e-3):
        pairs, _ = near_pairs(images, max_mse, block=16)
        assert {tuple(p) for p in pairs.tolist()} == brute_force_pairs(images, max_mse)


def test_groups_join_exact_copies_and_chains(planted):
    exact = duplicate_groups(planted["images"])
    pairs, _ = near_pairs(planted["images"], 1e-3)
    group = join_groups(exact, pairs)
    assert group[10] == group[200] == group[201]
    assert group[20] == group[202] == group[203]  # 20 and 203 are joined through 202
    assert group[10] != group[20]
    assert group[0] == 0 and np.all(np.diff(np.unique(group, return_index=True)[1]) > 0)
    # Without near pairs the groups are the exact ones.
    assert np.array_equal(join_groups(exact, np.empty((0, 2), np.int64)), exact)


def test_no_group_straddles_the_split(planted):
    exact = duplicate_groups(planted["images"])
    pairs, _ = near_pairs(planted["images"], 1e-3)
    group = join_groups(exact, pairs)
    parts = split_indices(group, [0.7, 0.2, 0.1], seed=5)
    part = np.empty(len(group), int)
    for k, index in enumerate(parts.values()):
        part[index] = k
    assert np.all(part[pairs[:, 0]] == part[pairs[:, 1]])


def test_report_counts(planted):
    faces = dict(planted, group=duplicate_groups(planted["images"]))
    pairs, mse = near_pairs(faces["images"], 1e-3)
    group = join_groups(faces["group"], pairs)
    report = group_report(faces, group, pairs, mse, 1e-3)
    assert report["exact_groups"] == 1 and report["exact_rows"] == 2
    assert report["near_groups"] == 2 and report["near_rows"] == 6
    assert report["near_only_rows"] == 4
    assert report["near_pairs"] == int((mse > 0).sum())
