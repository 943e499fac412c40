"""Which faces must stay together in one split part: exact copies and near-copies.

UTKFace holds the same photo more than once: pixel-identical copies, and copies that differ
by a little (re-encoded, re-cropped by a pixel). If one copy lands in training and another in
the test split, the test score measures memory, not generalisation. Faces whose mean squared
difference is at most ``max_mse`` (grey levels in [0, 1]) are joined; groups are the
connected components of "identical or near" (so a chain a~b~c is one group even if a and c
are further apart), and the split keeps each group in one part.

The all-pairs search is cheap because of a lower bound: the mean squared difference of two
images average-pooled over k x k blocks never exceeds that of the full images (the square of a
block mean is at most the mean of the squares). So pairs are first searched among pooled
images (16x fewer numbers with k = 4) by blocked matrix products, and only the candidates that
pass are compared at full resolution, in float64.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from facevae import SIDE
from facevae.data import first_seen_ids, group_counts


def _pool(images: np.ndarray, k: int) -> np.ndarray:
    """uint8 (N, SIDE, SIDE) -> float32 (N, (SIDE/k)^2) block means, grey levels in [0, 1]."""
    n = len(images)
    x = images.reshape(n, SIDE // k, k, SIDE // k, k).astype(np.float32) / 255
    return x.mean(axis=(2, 4)).reshape(n, -1)


def near_pairs(images: np.ndarray, max_mse: float, pool: int = 4, block: int = 2048):
    """All pairs (i < j) of images whose mean squared difference (grey levels in [0, 1]) is
    at most ``max_mse``, with that difference: (pairs (M, 2) int64, mse (M,) float64)."""
    n = len(images)
    if SIDE % pool:
        raise ValueError(f"pool must divide the image side {SIDE}, got {pool}")
    coarse = _pool(images, pool)
    norms = np.einsum("ij,ij->i", coarse, coarse)
    # ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b, on d numbers; the slack covers float32
    # rounding of the products (the exact check below decides).
    limit = max_mse * coarse.shape[1] * (1 + 1e-3) + 1e-4
    found = []
    for start in range(0, n, block):
        stop = min(start + block, n)
        # Only the upper triangle: rows start..stop against columns start..n.
        squared = (
            norms[start:stop, None]
            + norms[None, start:]
            - 2 * coarse[start:stop] @ coarse[start:].T
        )
        i, j = np.nonzero(squared <= limit)
        i, j = i + start, j + start
        upper = j > i
        found.append(np.stack([i[upper], j[upper]], axis=1))
    pairs = np.concatenate(found) if found else np.empty((0, 2), np.int64)
    flat = images.reshape(n, -1)
    mse = np.empty(len(pairs))
    for s in range(0, len(pairs), 4096):  # exact differences of the candidates, in chunks
        a = flat[pairs[s : s + 4096, 0]].astype(np.float64) / 255
        b = flat[pairs[s : s + 4096, 1]].astype(np.float64) / 255
        mse[s : s + 4096] = ((a - b) ** 2).mean(axis=1)
    keep = mse <= max_mse
    return pairs[keep].astype(np.int64), mse[keep]


def join_groups(exact: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Group ids (0..G-1 in first-seen order) of the union of the exact-copy groups and the
    near pairs: the connected components of both relations together."""
    n = len(exact)
    # Link every face to the first face of its exact group, and the two faces of each pair.
    first = np.full(exact.max() + 1, -1)
    first[exact[::-1]] = np.arange(n)[::-1]
    rows = np.concatenate([np.arange(n), pairs[:, 0]])
    cols = np.concatenate([first[exact], pairs[:, 1]])
    graph = coo_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    return first_seen_ids(component)


def group_report(faces: dict[str, np.ndarray], group: np.ndarray, pairs, mse, max_mse) -> dict:
    """Counts for the data chapter: exact-copy groups (``faces["group"]``) and the wider
    near-copy groups ``group``."""
    report = {"near_max_mse": max_mse, "near_pairs": int((mse > 0).sum())}
    for name, ids in (("exact", faces["group"]), ("near", group)):
        counts = group_counts(ids, faces)
        report[f"{name}_groups"] = counts["groups"]
        report[f"{name}_rows"] = counts["rows"]
        report[f"{name}_conflicting_groups"] = counts["conflicting"]
    # Faces that only the near-copy search tied to another face.
    report["near_only_rows"] = report["near_rows"] - report["exact_rows"]
    return report


def faces_with_copy_elsewhere(group: np.ndarray, parts: dict[str, np.ndarray], part: str) -> int:
    """How many faces of ``part`` share their group (an exact or near copy) with a face of
    another part: zero for a split that keeps groups together, which the report states."""
    group = np.asarray(group)
    inside = np.zeros(len(group), dtype=bool)
    inside[parts[part]] = True
    outside = np.unique(group[~inside])
    return int(np.isin(group[parts[part]], outside).sum())
