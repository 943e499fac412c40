"""facevae.attributes: which restorations are compared, and the share of faces whose
predicted gender or ethnicity a restoration changes."""

import json

import numpy as np
import pytest
import torch

from facevae import SIDE
from facevae.attributes import (
    attribute_changes,
    attribute_study,
    change_shares,
    chapter_two_restorations,
    controlled_shares,
    ethnicity_groups,
    predicted_labels,
    search_restorations,
    vae_restorations,
)
from facevae.cnn import build_cnn
from facevae.controls import blur
from facevae.data import ETHNICITY_KEYS
from facevae.names import method_key, parse_method_key
from facevae.report import flatten
from facevae.restore import corrupt, from_grey, vae_inpaint, vae_restore
from facevae.synthetic import make_faces
from facevae.vae import build_vae

BOOTSTRAP = {"resamples": 200, "seed": 0}


def none_inside(tree) -> bool:
    """Whether a JSON tree holds a None anywhere (the summary cannot take one)."""
    if isinstance(tree, dict):
        return any(none_inside(value) for value in tree.values())
    return tree is None


# --- shares of changed faces ----------------------------------------------------------------


def test_two_of_four_faces_changed_overall_and_per_group():
    original = {"gender": np.array([0, 1, 0, 1]), "ethnicity": np.array([0, 1, 2, 3])}
    predicted = {"gender": np.array([1, 0, 0, 1]), "ethnicity": np.array([0, 1, 2, 3])}
    groups = {"a": np.array([0, 1]), "b": np.array([2, 3]), "c": np.array([], dtype=int)}
    scores = change_shares(original, predicted, groups, BOOTSTRAP)
    gender = scores["gender"]
    assert gender["changed"] == 0.5
    assert 0 <= gender["changed_ci95_low"] <= 0.5 <= gender["changed_ci95_high"] <= 1
    assert gender["changed_ci95_low"] < gender["changed_ci95_high"]
    assert gender["a"] == {
        "faces": 2,
        "changed": 1.0,
        "changed_ci95_low": 1.0,
        "changed_ci95_high": 1.0,
    }
    assert gender["b"] == {
        "faces": 2,
        "changed": 0.0,
        "changed_ci95_low": 0.0,
        "changed_ci95_high": 0.0,
    }
    # A group without faces: its size and nothing else (no None for the summary to choke on).
    assert gender["c"] == {"faces": 0}
    assert scores["ethnicity"]["changed"] == 0.0
    assert not none_inside(scores)
    json.dumps(scores, allow_nan=False)  # every value a plain finite number


def test_shares_per_group_follow_the_groups():
    original = {"gender": np.zeros(6, dtype=int)}
    predicted = {"gender": np.array([1, 0, 0, 1, 1, 1])}
    groups = {"x": np.array([0, 1, 2]), "y": np.array([3, 4, 5])}
    scores = change_shares(original, predicted, groups, BOOTSTRAP)["gender"]
    assert scores["changed"] == pytest.approx(4 / 6)
    assert scores["x"]["changed"] == pytest.approx(1 / 3) and scores["x"]["faces"] == 3
    assert scores["y"]["changed"] == 1.0


def test_identical_labels_change_nothing():
    labels = {"gender": np.array([0, 1, 1, 0, 1]), "ethnicity": np.array([4, 0, 2, 2, 1])}
    groups = ethnicity_groups(labels["ethnicity"])
    scores = change_shares(labels, {k: v.copy() for k, v in labels.items()}, groups, BOOTSTRAP)
    for cell in scores.values():
        assert cell["changed"] == cell["changed_ci95_low"] == cell["changed_ci95_high"] == 0
        assert all(cell[g]["changed"] == 0 for g in ETHNICITY_KEYS if cell[g]["faces"])


def test_ethnicity_groups_keep_empty_groups():
    groups = ethnicity_groups(np.array([0, 2, 2, 0, 4]))
    assert list(groups) == list(ETHNICITY_KEYS)
    assert [len(index) for index in groups.values()] == [2, 0, 2, 0, 1]
    assert groups[ETHNICITY_KEYS[2]].tolist() == [1, 2]


# --- labels from the classifiers ------------------------------------------------------------


@pytest.fixture(scope="module")
def classifiers():
    torch.manual_seed(0)
    return {
        task: build_cnn(task, channels=(4, 8, 8), hidden=16).eval()
        for task in ("gender", "ethnicity")
    }


def test_predicted_labels_are_the_classifiers_on_grey_levels(classifiers):
    rng = np.random.default_rng(0)
    grey = rng.integers(0, 256, (5, SIDE, SIDE)).astype(np.uint8)
    images = grey.astype(np.float32) / 255
    labels = predicted_labels(classifiers, images)
    with torch.no_grad():
        x = torch.from_numpy(images).unsqueeze(1)
        for task, cnn in classifiers.items():
            assert labels[task].tolist() == cnn(x).argmax(1).tolist()
    # Less than half a grey level away: the same grey levels, so the same labels.
    nudged = predicted_labels(classifiers, images + 0.4 / 255, batch_size=2)
    assert all(np.array_equal(nudged[task], labels[task]) for task in classifiers)
    none = predicted_labels(classifiers, np.zeros((0, SIDE, SIDE), dtype=np.float32))
    assert all(len(found) == 0 for found in none.values())


def test_restorations_identical_to_the_clean_faces_change_nothing(classifiers):
    clean = np.random.default_rng(1).uniform(size=(6, SIDE, SIDE)).astype(np.float32)
    groups = ethnicity_groups(np.array([0, 0, 1, 1, 3, 3]))
    found = attribute_changes(classifiers, clean, {"same.noise": clean.copy()}, groups, BOOTSTRAP)
    for task in classifiers:
        assert found["same.noise"][task]["changed"] == 0.0
        assert found["same.noise"][task][ETHNICITY_KEYS[2]] == {"faces": 0}


# --- which restorations ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def damage():
    clean = np.random.default_rng(2).uniform(0.2, 0.8, (4, SIDE, SIDE)).astype(np.float32)
    damaged, mask = corrupt(clean, 0, [0.1, 0.2], [8, 8])
    return clean, damaged, mask


def test_chapter_two_restorations_are_read_not_redone(damage):
    _, damaged, mask = damage
    restored = {
        key: np.full((4, SIDE, SIDE), i, dtype=np.float32)
        for i, key in enumerate(
            ["median.noise_s0.1", "tv.noise_s0.1", "biharmonic.erase", "vae.noise_s0.1"]
        )
    }
    outputs = chapter_two_restorations(damaged, restored, "noise_s0.1", ["median", "tv"])
    assert list(outputs) == [
        "corrupted.noise",
        "corrupted.erase",
        "median.noise",
        "tv.noise",
        "biharmonic.erase",
    ]
    assert outputs["corrupted.noise"] is damaged["noise_s0.1"]
    assert outputs["corrupted.erase"] is damaged["erase"]
    assert outputs["median.noise"] is restored["median.noise_s0.1"]
    assert outputs["biharmonic.erase"] is restored["biharmonic.erase"]


def test_vae_restorations_made_here_or_taken_from_chapter_two(damage):
    clean, damaged, mask = damage
    torch.manual_seed(0)
    model = build_vae(latent=3, channels=(4, 8, 8), hidden=(16,))
    made = vae_restorations("z3_b0.01", model, clean, damaged, mask, "noise_s0.2", 2)
    assert list(made) == ["z3_b0.01.reconstruction", "z3_b0.01.noise", "z3_b0.01.erase"]
    assert np.array_equal(made["z3_b0.01.reconstruction"], vae_restore(model, clean))
    assert np.array_equal(made["z3_b0.01.noise"], vae_restore(model, damaged["noise_s0.2"]))
    assert np.array_equal(made["z3_b0.01.erase"], vae_inpaint(model, damaged["erase"], mask, 2))
    chapter2 = {"vae.noise_s0.2": np.zeros(1), "vae.erase": np.ones(1)}
    read = vae_restorations("z3_b0.01", model, clean, damaged, mask, "noise_s0.2", 2, chapter2)
    assert read["z3_b0.01.noise"] is chapter2["vae.noise_s0.2"]
    assert read["z3_b0.01.erase"] is chapter2["vae.erase"]
    assert np.array_equal(read["z3_b0.01.reconstruction"], made["z3_b0.01.reconstruction"])


def test_search_restorations_from_grey_levels():
    found = {
        "noise_s0.1": np.full((2, SIDE, SIDE), 51, dtype=np.uint8),
        "noise_s0.2": np.zeros((2, SIDE, SIDE), dtype=np.uint8),
        "erase": np.full((2, SIDE, SIDE), 255, dtype=np.uint8),
    }
    outputs = search_restorations(found, "noise_s0.1")
    assert list(outputs) == ["search.noise", "search.erase"]
    assert outputs["search.noise"].dtype == np.float32
    assert np.all(outputs["search.noise"] == np.float32(0.2)) and np.all(
        outputs["search.erase"] == 1
    )


def test_a_vae_key_keeps_the_dot_of_its_name():
    assert parse_method_key(method_key("z256_b0.01", "erase")) == ("z256_b0.01", "erase")


def test_copies_of_a_face_are_drawn_together():
    """Each face three times over: with its near-copy groups the interval of a share is that
    of the faces once each, in every ethnicity too; without, it narrows."""
    rng = np.random.default_rng(5)
    flips = rng.random(120) < 0.3
    copies, near = np.repeat(np.arange(120), 3), np.repeat(np.arange(120), 3)
    original = {"gender": np.zeros(360, dtype=int)}
    predicted = {"gender": flips[copies].astype(int)}
    groups = {"a": np.arange(180), "b": np.arange(180, 360)}
    grouped = change_shares(original, predicted, groups, BOOTSTRAP, near)["gender"]
    loose = change_shares(original, predicted, groups, BOOTSTRAP)["gender"]
    once = change_shares(
        {"gender": np.zeros(120, dtype=int)},
        {"gender": flips.astype(int)},
        {"a": np.arange(60), "b": np.arange(60, 120)},
        BOOTSTRAP,
    )["gender"]
    width = lambda cell: cell["changed_ci95_high"] - cell["changed_ci95_low"]  # noqa: E731
    for cell, alone, free in ((grouped, once, loose), (grouped["b"], once["b"], loose["b"])):
        assert width(cell) == pytest.approx(width(alone))
        assert width(cell) > 1.4 * width(free)


# --- the VAE against a blur and PCA at the same PSNR ----------------------------------------


def test_shares_count_only_correctly_labelled_faces_and_pair_them():
    correct = np.array([1, 1, 1, 1, 0, 1], dtype=bool)  # face 4 is mislabelled on the clean face
    changed = {
        "vae": np.array([1, 1, 0, 1, 1, 0], dtype=bool),
        "blur": np.array([0, 1, 0, 0, 0, 0], dtype=bool),
        "pca": np.array([1, 1, 0, 1, 0, 0], dtype=bool),
    }
    ethnicity = {"a": np.array([0, 1, 4]), "b": np.array([2, 3, 5]), "c": np.array([], int)}
    near = np.arange(6)
    shares = controlled_shares(changed, correct, ethnicity, near, BOOTSTRAP)
    assert shares["faces"] == 5
    assert shares["vae"]["changed"] == pytest.approx(0.6)
    assert shares["blur"]["changed"] == pytest.approx(0.2)
    assert shares["pca"]["changed"] == pytest.approx(0.6)
    blurred = shares["paired"]["blur"]
    assert blurred["difference"] == pytest.approx(0.4)
    assert blurred["difference_ci95_low"] <= 0.4 <= blurred["difference_ci95_high"]
    # The VAE and PCA change the same faces: a difference of exactly zero, no clear verdict.
    assert shares["paired"]["pca"] == {
        "difference": 0.0,
        "difference_ci95_low": 0.0,
        "difference_ci95_high": 0.0,
        "verdict": "unclear",
    }
    assert list(shares["paired"]) == ["blur", "pca"]  # the VAE is not paired with itself
    assert shares["a"]["faces"] == 2 and shares["a"]["vae"]["changed"] == 1.0
    assert shares["a"]["blur"]["changed"] == 0.5
    assert shares["b"]["faces"] == 3 and shares["b"]["vae"]["changed"] == pytest.approx(1 / 3)
    assert shares["c"] == {"faces": 0}
    assert not none_inside(shares)
    json.dumps(shares, allow_nan=False)


def test_shares_draw_whole_near_copy_groups():
    """With every face in one near-copy group each resample draws that group whole: the
    interval collapses onto the share; with a group per face it does not."""
    correct = np.ones(8, dtype=bool)
    changed = {"vae": np.arange(8) % 2 == 0, "blur": np.zeros(8, dtype=bool)}
    ethnicity = {"a": np.arange(8)}
    one = controlled_shares(changed, correct, ethnicity, np.zeros(8, int), BOOTSTRAP)
    assert one["vae"]["changed_ci95_low"] == one["vae"]["changed_ci95_high"] == 0.5
    paired = one["paired"]["blur"]
    assert paired["difference_ci95_low"] == paired["difference_ci95_high"] == 0.5
    assert paired["verdict"] == "higher"
    apart = controlled_shares(changed, correct, ethnicity, np.arange(8), BOOTSTRAP)
    assert apart["vae"]["changed_ci95_low"] < 0.5 < apart["vae"]["changed_ci95_high"]


def test_a_vae_that_blurs_matches_its_blur_control(classifiers):
    """End to end on synthetic faces: a stand-in VAE whose reconstruction is a blur of sigma
    1.5 is matched by a blur of about that sigma, and changes the labels of about the same
    faces; PCA is matched on the validation faces too."""
    faces = make_faces(150, seed=4, duplicate_fraction=0)
    split = {"train": np.arange(80), "val": np.arange(80, 115), "test": np.arange(115, 150)}
    near = np.arange(35) // 2  # pairs of test faces as near copies
    test, val = (from_grey(faces["images"][split[part]]) for part in ("test", "val"))
    key = method_key("z3_b0.01", "reconstruction")
    outputs = {key: blur(test, 1.5), "gaussian.noise": test.copy()}
    found = attribute_study(
        classifiers, faces, split, near, outputs, {"z3_b0.01": blur(val, 1.5)}, BOOTSTRAP
    )
    assert list(found["methods"]) == [key, "gaussian.noise"]
    result = found["controls"][key]
    assert list(result) == ["vae", "blur", "pca", "gender", "ethnicity"]
    assert result["blur"]["sigma"] == pytest.approx(1.5, rel=0.02)
    assert result["blur"]["val_psnr"] == pytest.approx(result["vae"]["val_psnr"], abs=0.005)
    assert 1 <= result["pca"]["components"] <= 80
    for which in ("vae", "blur", "pca"):
        cell = result[which]
        assert cell["test_psnr_ci95_low"] <= cell["test_psnr"] <= cell["test_psnr_ci95_high"]
    assert result["blur"]["test_psnr"] == pytest.approx(result["vae"]["test_psnr"], abs=0.05)
    for task in classifiers:
        shares = result[task]
        labels = predicted_labels(classifiers, test)[task]
        assert shares["faces"] == int((labels == faces[task][split["test"]]).sum())
        if shares["faces"]:
            assert abs(shares["paired"]["blur"]["difference"]) <= 0.1
            assert set(shares["paired"]) == {"blur", "pca"}
    assert not none_inside(found)
    json.dumps(found, allow_nan=False)
    assert flatten(found, "beyond.attribute_change")  # the summary takes every value
