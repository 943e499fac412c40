"""The reconstruction yardsticks and the chosen VAE's paired comparison with them."""

import numpy as np
import pytest

from facevae.baselines import mean_face, pca_reconstructions, versus_yardsticks
from facevae.stats import DESCRIBE


def test_pca_with_every_component_gives_the_faces_back():
    rng = np.random.default_rng(0)
    train = rng.random((40, 4, 4)).astype(np.float32)
    out = pca_reconstructions(train, train[:5], [2, 16])
    np.testing.assert_allclose(out[16], train[:5], atol=1e-5)
    assert np.abs(out[2] - train[:5]).mean() > 0.05  # two components lose most of it
    assert mean_face(train, train[:3]).shape == (3, 4, 4)


def test_a_model_equal_to_the_yardstick_differs_by_exactly_zero():
    scores = np.random.default_rng(1).normal(20, 2, (3, 50))
    same = versus_yardsticks(scores[:1], {"pca": scores[0]}, resamples=200)["pca"]
    assert same["mean"] == same["ci95_low"] == same["ci95_high"] == 0.0
    assert same["verdict"] == "unclear"
    assert same["interval"] == DESCRIBE["groups"]


def test_the_difference_is_paired_face_by_face_and_drawn_over_the_models_seeds():
    rng = np.random.default_rng(2)
    theirs = rng.normal(20, 3, 400)  # faces differ a lot, the model a little on each
    ours = theirs + 0.5 + rng.normal(0, 0.1, (3, 400)) + np.array([[-0.3], [0.0], [0.3]])
    versus = versus_yardsticks(ours, {"pca": theirs}, resamples=500, seed=0)["pca"]
    assert versus["mean"] == pytest.approx(0.5, abs=0.02)
    assert versus["ci95_low"] > 0  # paired: the spread between faces cancels
    # three seeds 0.3 dB apart: the interval holds their spread, wider than one seed's
    one = versus_yardsticks(ours[1], {"pca": theirs}, resamples=500, seed=0)["pca"]
    assert versus["ci95_high"] - versus["ci95_low"] > 3 * (one["ci95_high"] - one["ci95_low"])
    assert versus["interval"] == DESCRIBE["two_level"] and versus["seeds"] == 3


def test_one_fit_serves_every_part_and_every_yardstick():
    from facevae.baselines import yardsticks

    rng = np.random.default_rng(3)
    train = rng.random((30, 4, 4)).astype(np.float32)
    parts = {"test": train[:4], "val": rng.random((5, 4, 4)).astype(np.float32)}
    found = yardsticks(train, parts, [2, 16])
    assert set(found) == {"mean_face", "pca2", "pca16"}
    np.testing.assert_allclose(found["pca16"]["test"], train[:4], atol=1e-5)
    assert found["pca2"]["val"].shape == (5, 4, 4)
    alone = pca_reconstructions(train, train[:4], [2, 16])[2]  # the same fit, one stack
    np.testing.assert_allclose(found["pca2"]["test"], alone, atol=1e-5)
    np.testing.assert_allclose(found["mean_face"]["val"][0], train.mean(axis=0))
