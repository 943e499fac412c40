"""Intervals that count every source of randomness we control: faces, near-copy groups, seeds.

Test faces are not independent: UTKFace holds the same person more than once, and the split
keeps such near-copies together in groups (facevae.groups). A bootstrap that draws faces
treats two copies of one face as two pieces of evidence; the bootstrap here draws *groups*,
each with all its faces, so a person counts once however often the table holds them. With
every face in a group of its own it draws exactly what a face bootstrap draws.

A model trained with several seeds adds the seed's randomness. ``two_level`` resamples the
seeds first (with replacement), then the groups, so an interval covers both; with one seed
it is the group bootstrap. Two models compared on the same faces and the same seeds are
compared by the paired difference of their per-face scores (``paired``): what the faces and
the seed share cancels, and identical inputs give an interval of exactly zero width.

``verdict`` reads an interval of a difference the way the report's sentences do: a clear
gain or loss only when the interval excludes zero, else "no clear difference".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

LEVEL = 0.95


class Groups:
    """The faces of each group, for drawing whole groups with replacement.

    ``labels``: each face's group (any integers); faces that share a label are drawn together.
    """

    def __init__(self, labels) -> None:
        labels = np.asarray(labels)
        if labels.ndim != 1:
            raise ValueError(f"group labels must be one per face, got shape {labels.shape}")
        self.n_faces = len(labels)
        _, first, inverse, counts = np.unique(
            labels, return_index=True, return_inverse=True, return_counts=True
        )
        # Groups in the order their first face appears, so that with one face per group the
        # draws below are face indices themselves (a face bootstrap, draw for draw).
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        self.counts = counts[order]
        self.members = np.argsort(rank[inverse], kind="stable")  # faces, grouped
        self.starts = np.concatenate([[0], np.cumsum(self.counts)[:-1]])

    @classmethod
    def singletons(cls, n: int) -> Groups:
        return cls(np.arange(n))

    def __len__(self) -> int:
        return len(self.counts)

    def faces(self, drawn: np.ndarray) -> np.ndarray:
        """The faces of the drawn groups (with repeats), group after group."""
        counts = self.counts[drawn]
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return self.members[np.repeat(self.starts[drawn], counts) + offsets]

    def draws(self, resamples: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
        """Face indices of ``resamples`` bootstrap draws of as many groups as there are."""
        for _ in range(resamples):
            yield self.faces(rng.integers(0, len(self), len(self)))


def _as_groups(groups, n: int) -> Groups:
    if groups is None:
        return Groups.singletons(n)
    groups = groups if isinstance(groups, Groups) else Groups(groups)
    if groups.n_faces != n:
        raise ValueError(f"{groups.n_faces} group labels for {n} faces")
    return groups


def _percentiles(values, level: float) -> tuple[float, float]:
    tail = (1 - level) / 2
    low, high = np.nanquantile(np.asarray(values, dtype=float), [tail, 1 - tail])
    return float(low), float(high)


def interval(
    statistic: Callable[[np.ndarray], float],
    n: int,
    groups=None,
    resamples: int = 2000,
    seed: int = 0,
    level: float = LEVEL,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic(faces)`` over n faces, drawing whole
    groups (``groups``: one label per face; None: every face its own group)."""
    groups = _as_groups(groups, n)
    rng = np.random.default_rng(seed)
    return _percentiles([statistic(faces) for faces in groups.draws(resamples, rng)], level)


def _draw_seeds(n_seeds: int, rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, n_seeds, n_seeds) if n_seeds > 1 else np.zeros(1, dtype=int)


def two_level(
    statistic: Callable[[np.ndarray, np.ndarray], float],
    n_seeds: int | tuple[int, ...],
    n: int,
    groups=None,
    resamples: int = 2000,
    seed: int = 0,
    level: float = LEVEL,
) -> tuple[float, float]:
    """Interval of ``statistic(seeds, faces)`` (which seeds' models, which faces, each with
    repeats) under a two-level bootstrap: every draw takes ``n_seeds`` seeds with replacement,
    then as many groups as there are. With one seed it is ``interval``.

    ``n_seeds`` may also be a tuple, one count per side of a comparison whose sides were not
    trained on the same seeds: each side's seeds are then drawn on their own, the groups once
    for all sides, and ``statistic`` gets a tuple of seed arrays, one per side.

    The seeds come from a random stream of their own, so the groups drawn are those of
    ``interval`` whatever the number of seeds: models that agree seed for seed give exactly
    the interval of one of them."""
    groups = _as_groups(groups, n)
    rng = np.random.default_rng(seed)
    seed_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    values = []
    for _ in range(resamples):
        if isinstance(n_seeds, tuple):
            seeds = tuple(_draw_seeds(count, seed_rng) for count in n_seeds)
        else:
            seeds = _draw_seeds(n_seeds, seed_rng)
        values.append(statistic(seeds, groups.faces(rng.integers(0, len(groups), len(groups)))))
    return _percentiles(values, level)


def mean_interval(scores, groups=None, resamples: int = 2000, seed: int = 0) -> dict:
    """Mean of per-face scores of one or more seeds (shape (faces,) or (seeds, faces)) and its
    two-level interval: {"mean", "ci95_low", "ci95_high", "seeds"}, and "sd_seeds" (the
    spread of the seeds' means) when there are several."""
    scores = np.atleast_2d(np.asarray(scores, dtype=float))
    n_seeds, n = scores.shape
    low, high = two_level(
        lambda s, f: scores[np.ix_(s, f)].mean(), n_seeds, n, groups, resamples, seed
    )
    out = {"mean": float(scores.mean()), "ci95_low": low, "ci95_high": high, "seeds": n_seeds}
    if n_seeds > 1:  # the spread of the seeds' means; with one seed there is none
        out["sd_seeds"] = float(scores.mean(axis=1).std(ddof=1))
    return out


def paired(ours, theirs, groups=None, resamples: int = 2000, seed: int = 0) -> dict:
    """Our per-face scores minus theirs, on the same faces and (row by row) the same seeds:
    the mean difference and its two-level interval, plus ``verdict``. Shapes (faces,) or
    (seeds, faces), equal."""
    ours = np.atleast_2d(np.asarray(ours, dtype=float))
    theirs = np.atleast_2d(np.asarray(theirs, dtype=float))
    if ours.shape != theirs.shape:
        raise ValueError(f"paired scores differ in shape: {ours.shape} and {theirs.shape}")
    out = mean_interval(ours - theirs, groups, resamples, seed)
    return out | {"verdict": verdict(out["ci95_low"], out["ci95_high"])}


def verdict(low: float, high: float) -> str:
    """ "higher" or "lower" when the interval of a difference excludes zero, else "unclear"."""
    if low > 0:
        return "higher"
    if high < 0:
        return "lower"
    return "unclear"


# What an interval resampled, in words, for the metrics files (key "interval") and the
# captions that quote them: one sentence per kind of bootstrap used in the workflow.
DESCRIBE = {
    "two_level": "two-level bootstrap: seeds, then near-copy groups of test faces",
    "paired": (
        "two-level bootstrap: seeds, paired seed by seed between the two sides, then near-copy"
        " groups of test faces"
    ),
    "unpaired": (
        "two-level bootstrap: each side's seeds drawn on their own, then near-copy groups of"
        " test faces"
    ),
    "groups": "bootstrap over near-copy groups of test faces (no seeds drawn)",
    "generated": "bootstrap over the generated faces (one model, no seeds drawn)",
}


def describe(n_seeds: int | tuple[int, ...] = 1, paired: bool = False, part: str = "test") -> str:
    """DESCRIBE's sentence for an interval drawn by ``two_level`` with ``n_seeds`` (a count,
    or one count per side), ``paired`` when two sides were paired seed by seed: the group
    bootstrap when no side has more than one seed. ``part``: the split part whose faces were
    drawn ("test" or "validation")."""
    counts = n_seeds if isinstance(n_seeds, tuple) else (n_seeds,)
    if max(counts) <= 1:
        kind = "groups"
    elif paired:
        kind = "paired"
    else:
        kind = "unpaired" if len(counts) > 1 else "two_level"
    return DESCRIBE[kind].replace("test faces", f"{part} faces")


def part_groups(groups: dict, split: dict, part: str) -> np.ndarray:
    """The near-copy group label of every face of one split part (``groups``: data/groups.npz,
    ``split``: data/split.npz, ``part``: "train", "val" or "test"), in the part's order."""
    return np.asarray(groups["group"])[np.asarray(split[part])]
