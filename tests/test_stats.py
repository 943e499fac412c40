"""Intervals over near-copy groups and seeds, and paired differences (facevae.stats), each on a
case whose answer is known."""

import numpy as np
import pytest

from facevae.metrics import bootstrap_interval
from facevae.stats import (
    DESCRIBE,
    Groups,
    describe,
    interval,
    mean_interval,
    paired,
    part_groups,
    two_level,
    verdict,
)


def test_one_face_per_group_draws_what_a_face_bootstrap_draws():
    scores = np.random.default_rng(1).normal(size=300)
    statistic = lambda faces: scores[faces].mean()
    assert interval(statistic, 300, resamples=500, seed=3) == bootstrap_interval(
        statistic, 300, 500, 3
    )
    labels = np.arange(300)[::-1]  # any labels, one face each
    assert interval(statistic, 300, labels, 500, 3) == interval(statistic, 300, None, 500, 3)


def test_a_drawn_group_brings_all_its_faces():
    groups = Groups([7, 3, 7, 9, 3, 7])
    assert len(groups) == 3 and groups.counts.tolist() == [3, 2, 1]  # 7, 3, 9 by first face
    assert groups.faces(np.array([0])).tolist() == [0, 2, 5]
    assert groups.faces(np.array([2, 1, 1])).tolist() == [3, 1, 4, 1, 4]
    for faces in groups.draws(20, np.random.default_rng(0)):
        drawn = np.array([7, 3, 7, 9, 3, 7])[faces]
        for label, size in ((7, 3), (3, 2), (9, 1)):
            assert (drawn == label).sum() % size == 0


def test_copies_of_one_face_are_not_new_evidence():
    """Each face copied four times: drawing faces makes the interval half as wide (as if there
    were four times the evidence); drawing groups gives the interval of the faces alone."""
    scores = np.random.default_rng(2).normal(size=200)
    alone = interval(lambda f: scores[f].mean(), 200, resamples=1000, seed=5)
    copies, labels = np.repeat(scores, 4), np.repeat(np.arange(200), 4)
    grouped = interval(lambda f: copies[f].mean(), 800, labels, 1000, 5)
    loose = interval(lambda f: copies[f].mean(), 800, None, 1000, 5)
    assert grouped == pytest.approx(alone)
    assert (loose[1] - loose[0]) < 0.6 * (grouped[1] - grouped[0])


def test_two_levels_carry_the_seed_variance():
    """Three seeds that differ by a whole unit and faces that barely vary: the interval of the
    mean spans the seeds, where one over faces alone would be a hundredth wide."""
    rng = np.random.default_rng(4)
    scores = np.array([-1.0, 0.0, 1.0])[:, None] + 0.01 * rng.normal(size=(3, 500))
    low, high = two_level(lambda s, f: scores[np.ix_(s, f)].mean(), 3, 500, resamples=2000)
    assert low < -0.6 and high > 0.6
    one = mean_interval(scores[1])
    assert one["ci95_high"] - one["ci95_low"] < 0.01 and "sd_seeds" not in one
    three = mean_interval(scores)
    assert (three["ci95_low"], three["ci95_high"]) == (low, high)
    assert three["sd_seeds"] == pytest.approx(1.0, abs=0.01) and three["seeds"] == 3


def test_identical_inputs_differ_by_exactly_nothing():
    scores = np.random.default_rng(6).normal(size=(3, 100))
    result = paired(scores, scores.copy(), groups=np.arange(100) // 3)
    assert (result["mean"], result["ci95_low"], result["ci95_high"]) == (0.0, 0.0, 0.0)
    assert result["verdict"] == "unclear"


def test_a_constant_shift_is_found_whatever_the_faces():
    """Faces that vary a lot, a model that is better by 0.5 on every face: pairing cancels the
    faces, so the interval is the shift itself."""
    theirs = np.random.default_rng(7).normal(scale=10, size=(2, 400))
    result = paired(theirs + 0.5, theirs)
    assert result["ci95_low"] == pytest.approx(0.5) and result["ci95_high"] == pytest.approx(0.5)
    assert result["verdict"] == "higher"
    assert paired(theirs - 0.5, theirs)["verdict"] == "lower"
    with pytest.raises(ValueError, match="shape"):
        paired(theirs, theirs[:1])


def test_verdicts_need_an_interval_that_excludes_zero():
    assert verdict(0.1, 0.4) == "higher" and verdict(-0.4, -0.1) == "lower"
    assert verdict(-0.1, 0.4) == verdict(0.0, 0.2) == "unclear"


def test_labels_must_be_one_per_face():
    with pytest.raises(ValueError, match="3 group labels for 4 faces"):
        interval(lambda f: 0.0, 4, [0, 1, 2])


def test_seeds_drawn_apart_leave_the_group_draws_alone():
    """The seeds have a random stream of their own: models that agree seed for seed give the
    interval of one of them exactly, however many seeds there are."""
    scores = np.random.default_rng(8).normal(size=300)
    labels = np.arange(300) // 3
    one = two_level(lambda s, f: scores[f].mean(), 1, 300, labels, 400, 9)
    assert one == interval(lambda f: scores[f].mean(), 300, labels, 400, 9)
    for n_seeds in (2, 5, (2, 3)):
        assert two_level(lambda s, f: scores[f].mean(), n_seeds, 300, labels, 400, 9) == one


def test_sides_with_their_own_seeds_are_drawn_on_their_own():
    """Two sides of 2 and 3 seeds: each draw gives each side as many seeds as it has, from its
    own; faces that agree, seeds that differ by a unit on one side only."""
    drawn = []
    two_level(lambda s, f: drawn.append(s) or 0.0, (2, 3), 10, resamples=200)
    assert all(len(a) == 2 and len(b) == 3 for a, b in drawn)
    assert {int(x) for a, _ in drawn for x in a} == {0, 1}
    assert {int(x) for _, b in drawn for x in b} == {0, 1, 2}
    ours = np.array([0.0, 1.0])
    low, high = two_level(lambda s, f: ours[s[0]].mean() - 0.5, (2, 1), 50, resamples=2000)
    assert (low, high) == (-0.5, 0.5)


def test_the_words_for_each_kind_of_interval():
    assert describe(1) == describe((1, 1), paired=True) == DESCRIBE["groups"]
    assert describe(3) == DESCRIBE["two_level"]
    assert describe(3, paired=True) == DESCRIBE["paired"]
    assert describe((3, 1)) == DESCRIBE["unpaired"]
    assert describe(3, part="validation").endswith("near-copy groups of validation faces")
    assert len(set(DESCRIBE.values())) == len(DESCRIBE)
    assert all("bootstrap" in text for text in DESCRIBE.values())


def test_group_labels_of_a_split_part():
    groups = {"group": np.array([7, 7, 8, 9, 9, 9])}
    split = {"train": np.array([0, 1, 2]), "test": np.array([5, 3])}
    assert part_groups(groups, split, "test").tolist() == [9, 9]
    assert part_groups(groups, split, "train").tolist() == [7, 7, 8]
