"""Corruptions, classical restorers, the VAE restorers of facevae.restore and the protocols of
chapters 2 (run_protocol) and 3 (search_protocol)."""

import runpy
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from facevae import SIDE
from facevae.files import load_npz, save_npz
from facevae.metrics import image_metrics
from facevae.restore import (
    DENOISERS,
    MASK,
    add_noise,
    choose_rate,
    corrupt,
    damage_arrays,
    erase,
    from_grey,
    inpaint_biharmonic,
    latent_search,
    run_protocol,
    search_protocol,
    split_damage,
    to_grey,
    vae_inpaint,
    vae_restore,
)
from facevae.vae import build_vae, evaluating

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def blob(n=1, centre=(24, 24), width=8.0):
    """Smooth synthetic faces: a Gaussian blob on a grey background, float32 (n, 48, 48)."""
    r, c = np.mgrid[:SIDE, :SIDE]
    image = 0.1 + 0.8 * np.exp(-((r - centre[0]) ** 2 + (c - centre[1]) ** 2) / (2 * width**2))
    return np.repeat(image[None].astype(np.float32), n, axis=0)


@pytest.fixture(scope="module")
def tiny_vae():
    torch.manual_seed(0)
    return build_vae(latent=3, channels=(4, 8, 8), hidden=(16,)).eval()


# --- corruptions ---------------------------------------------------------------------------


@pytest.mark.parametrize("sigma", [0.05, 0.1])
def test_noise_level_matches_sigma(sigma):
    images = np.full((10, SIDE, SIDE), 0.5, dtype=np.float32)
    noisy = add_noise(images, sigma, np.random.default_rng(0))
    assert noisy.shape == images.shape and noisy.dtype == np.float32
    assert np.std(noisy - images) == pytest.approx(sigma, rel=0.05)
    assert abs(np.mean(noisy - images)) < 0.1 * sigma


def test_noise_is_clipped_to_the_grey_range():
    noisy = add_noise(np.zeros((4, SIDE, SIDE)), 0.1, np.random.default_rng(1))
    assert noisy.min() == 0.0 and noisy.max() <= 1.0
    assert 0.4 < np.mean(noisy == 0.0) < 0.6  # the negative half of the noise is clipped
    assert add_noise(np.ones((1, SIDE, SIDE)), 0.1, np.random.default_rng(1)).max() == 1.0


def test_seeded_noise_is_repeatable():
    images = blob(3)
    first = add_noise(images, 0.1, np.random.default_rng(7))
    assert np.array_equal(first, add_noise(images, 0.1, np.random.default_rng(7)))
    assert not np.array_equal(first, add_noise(images, 0.1, np.random.default_rng(8)))


def test_erase_at_a_fixed_position():
    images = np.random.default_rng(0).uniform(0.2, 1.0, (3, SIDE, SIDE)).astype(np.float32)
    erased, mask = erase(images, (10, 6), (5, 40))
    assert mask.dtype == bool and mask.shape == images.shape
    expected = np.zeros((SIDE, SIDE), dtype=bool)
    expected[5:15, 40:46] = True
    assert all(np.array_equal(m, expected) for m in mask)
    assert np.all(erased[mask] == 0.0)
    assert np.array_equal(erased[~mask], images[~mask])


def test_erase_at_random_positions():
    n, (h, w) = 200, (12, 20)
    images = np.full((n, SIDE, SIDE), 0.5, dtype=np.float32)
    erased, mask = erase(images, (h, w), "random", np.random.default_rng(3), fill=0.25)
    assert np.all(mask.sum(axis=(1, 2)) == h * w)  # never cut off at the border
    top = mask.any(axis=2).argmax(axis=1)
    left = mask.any(axis=1).argmax(axis=1)
    # Each mask is one full rectangle at (top, left), inside the image.
    assert np.all((top >= 0) & (top <= SIDE - h) & (left >= 0) & (left <= SIDE - w))
    for m, t, lft in zip(mask[:20], top, left):
        assert m[t : t + h, lft : lft + w].all()
    assert len(set(zip(top, left))) > n // 2  # positions vary between images
    assert top.min() < 5 and top.max() > SIDE - h - 5  # the whole range of corners is used
    assert left.min() < 5 and left.max() > SIDE - w - 5
    assert np.all(erased[mask] == np.float32(0.25))
    assert np.array_equal(erased[~mask], images[~mask])
    again, _ = erase(images, (h, w), "random", np.random.default_rng(3), fill=0.25)
    assert np.array_equal(erased, again)


def test_erase_rejects_a_rectangle_that_does_not_fit():
    with pytest.raises(ValueError):
        erase(blob(), (10, 10), (40, 0))
    with pytest.raises(ValueError):
        erase(blob(), (49, 10), "random", np.random.default_rng(0))


# --- classical denoisers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def noisy_blobs():
    clean = np.concatenate([blob(1), blob(1, centre=(15, 30), width=6.0)])
    return clean, add_noise(clean, 0.1, np.random.default_rng(0))


@pytest.mark.parametrize("name", sorted(DENOISERS))
def test_denoiser_output_and_improvement(name, noisy_blobs):
    clean, noisy = noisy_blobs
    restored = DENOISERS[name](noisy)
    assert restored.shape == noisy.shape and restored.dtype == np.float32
    assert restored.min() >= 0.0 and restored.max() <= 1.0
    before = image_metrics(clean, noisy)["mse"]
    after = image_metrics(clean, restored)["mse"]
    assert np.all(after < 0.7 * before), (before, after)


@pytest.mark.parametrize("name", sorted(DENOISERS))
def test_denoiser_does_not_mix_images(name):
    rng = np.random.default_rng(5)
    # A noisy face between two blank ones: any smoothing across axis 0 would leak into them.
    stack = np.stack(
        [np.zeros((SIDE, SIDE)), rng.uniform(size=(SIDE, SIDE)), np.ones((SIDE, SIDE))]
    )
    together = DENOISERS[name](stack)
    alone = np.concatenate([DENOISERS[name](image[None]) for image in stack])
    np.testing.assert_allclose(together, alone, atol=1e-6)
    # Blank faces stay blank (and not NaN, as skimage's noise estimate gives on them).
    assert np.all(together[0] == 0.0) and np.all(together[2] == 1.0)


def test_denoiser_options_are_passed_on(noisy_blobs):
    _, noisy = noisy_blobs
    assert not np.allclose(DENOISERS["mean_filter"](noisy), DENOISERS["mean_filter"](noisy, size=5))
    assert not np.allclose(DENOISERS["gaussian"](noisy), DENOISERS["gaussian"](noisy, sigma=2))


# --- inpainting ----------------------------------------------------------------------------


def test_biharmonic_inpaints_a_smooth_gradient():
    r, c = np.mgrid[:SIDE, :SIDE] / (SIDE - 1)
    smooth = (0.2 + 0.5 * r + 0.2 * c + 0.1 * np.sin(2 * r)).astype(np.float32)[None]
    images = np.concatenate([smooth, smooth[:, ::-1]])
    erased, mask = erase(images, (12, 12), (18, 20))
    restored = inpaint_biharmonic(erased, mask)
    assert restored.shape == images.shape and restored.dtype == np.float32
    assert np.mean((restored[mask] - images[mask]) ** 2) < 1e-3
    assert np.mean((erased[mask] - images[mask]) ** 2) > 1e-2  # the test has teeth
    assert np.array_equal(restored[~mask], erased[~mask])


def test_vae_inpaint_replaces_only_the_masked_pixels(tiny_vae):
    images = blob(4)
    erased, mask = erase(images, (10, 14), "random", np.random.default_rng(0))
    filled = vae_inpaint(tiny_vae, erased, mask)
    assert filled.shape == images.shape and filled.dtype == np.float32
    assert np.array_equal(filled[~mask], erased[~mask])
    recon = vae_restore(tiny_vae, erased, batch_size=3)  # batches of 3 + 1
    np.testing.assert_allclose(filled[mask], recon[mask], atol=1e-6)
    assert np.all(filled[mask] != erased[mask])  # sigmoid outputs are never exactly 0


def test_vae_inpaint_iterations_feed_the_filled_face_back(tiny_vae):
    images = blob(3)
    erased, mask = erase(images, (12, 12), (18, 18))
    twice = vae_inpaint(tiny_vae, erased, mask, iterations=2)
    once = vae_inpaint(tiny_vae, erased, mask, iterations=1)
    expected = np.where(mask, vae_restore(tiny_vae, once), erased)
    np.testing.assert_allclose(twice, expected, atol=1e-6)
    assert np.array_equal(twice[~mask], erased[~mask])


def test_vae_restore_is_the_posterior_mean_reconstruction(tiny_vae):
    images = blob(5)
    restored = vae_restore(tiny_vae, images, batch_size=2)
    assert restored.shape == images.shape and restored.dtype == np.float32
    expected = tiny_vae.reconstruct(torch.from_numpy(images).unsqueeze(1)).squeeze(1).numpy()
    np.testing.assert_allclose(restored, expected, atol=1e-6)


def test_vae_restore_leaves_the_training_mode_alone():
    model = build_vae(latent=3, channels=(4, 8, 8), hidden=(16,)).train()
    vae_restore(model, blob(2))
    assert model.training


# --- the protocol ----------------------------------------------------------------------------


def test_protocol_scores_every_method_and_names_the_best(tiny_vae):
    clean = blob(4, width=6.0)
    damaged, mask = corrupt(clean, 0, [0.1, 0.2], [8, 8])
    settings = dict(noise_sigmas=[0.1, 0.2], denoisers=["mean_filter", "median"], n_examples=2)
    metrics, examples, restored = run_protocol(tiny_vae, clean, damaged, mask, **settings)
    assert set(metrics) == {"noise_s0.1", "noise_s0.2", "erase", "noise", "best"}
    assert set(metrics["noise_s0.1"]) == {"corrupted", "vae", "mean_filter", "median"}
    assert set(metrics["erase"]) == {"corrupted", "vae", "biharmonic"}
    assert metrics["noise"] == metrics["noise_s0.1"]
    for corruption in ("noise_s0.1", "noise_s0.2", "erase"):
        scores = metrics[corruption]
        best = metrics["best"][corruption]
        assert best != "corrupted"
        assert all(scores[best]["psnr"] >= v["psnr"] for m, v in scores.items() if m != "corrupted")
    # On smooth blobs a 3x3 mean filter beats the noisy input.
    assert metrics["noise_s0.2"]["mean_filter"]["psnr"] > metrics["noise_s0.2"]["corrupted"]["psnr"]
    assert examples["noise_s0.1.median"].shape == (2, SIDE, SIDE)
    assert examples["clean"].shape == (2, SIDE, SIDE)
    # The damaged faces scored are the ones given: the corrupted input scores as they do.
    noisy = image_metrics(clean, damaged["noise_s0.2"])["psnr"].mean()
    assert metrics["noise_s0.2"]["corrupted"]["psnr"] == pytest.approx(noisy)
    again, _, _ = run_protocol(tiny_vae, clean, damaged, mask, **settings)
    assert again == metrics  # the same damage, the same scores


def test_protocol_chooses_on_validation_faces_and_pairs_the_vae_with_each_method(tiny_vae):
    clean, val_clean = blob(4, width=6.0), blob(3, width=3.0)
    damaged, mask = corrupt(clean, 0, [0.1], [8, 8])
    val_damaged, val_mask = corrupt(val_clean, 1, [0.1], [8, 8])
    metrics, _, _ = run_protocol(
        tiny_vae,
        clean,
        damaged,
        mask,
        noise_sigmas=[0.1],
        denoisers=["mean_filter", "median"],
        validation=(val_clean, val_damaged, val_mask),
    )
    for damage, key in (("noise_s0.1", "val_psnr"), ("erase", "val_region_psnr")):
        scores = metrics[damage]
        # The damaged input scored on the validation faces is the validation damage itself.
        region = val_mask if damage == "erase" else None
        expected = image_metrics(val_clean, val_damaged[damage], region)["psnr"].mean()
        assert scores["corrupted"][key] == pytest.approx(expected)
        restorers = [m for m in scores if m != "corrupted"]
        assert metrics["best"][damage] == max(restorers, key=lambda m: scores[m][key])
        # The VAE against every other method: the mean of the per-face differences.
        headline = key.removeprefix("val_")
        for method, difference in scores["vae"]["versus"].items():
            gap = scores["vae"][headline] - scores[method][headline]
            assert difference["mean"] == pytest.approx(gap)
            assert difference["ci95_low"] <= difference["mean"] <= difference["ci95_high"]
        assert set(scores["vae"]["versus"]) == set(scores) - {"vae"}
    assert metrics["best"]["noise"] == metrics["best"]["noise_s0.1"]


def test_protocol_keeps_every_restored_face_of_the_first_level_and_the_erased_block(tiny_vae):
    clean = blob(5, width=6.0)
    damaged, mask = corrupt(clean, 3, [0.1, 0.2], [8, 8])
    _, examples, restored = run_protocol(
        tiny_vae, clean, damaged, mask, noise_sigmas=[0.1, 0.2], denoisers=["median"], n_examples=2
    )
    # Keyed names.method_key(restorer, damage); the second level and the inputs are left out.
    assert set(restored) == {"vae.noise_s0.1", "median.noise_s0.1", "vae.erase", "biharmonic.erase"}
    assert all(faces.dtype == np.float32 and len(faces) == 5 for faces in restored.values())
    noisy, erased = damaged["noise_s0.1"], damaged["erase"]
    assert np.array_equal(restored["vae.noise_s0.1"], vae_restore(tiny_vae, noisy))
    assert np.array_equal(restored["median.noise_s0.1"], DENOISERS["median"](noisy))
    assert np.array_equal(restored["vae.erase"], vae_inpaint(tiny_vae, erased, mask))
    assert np.array_equal(restored["biharmonic.erase"], inpaint_biharmonic(erased, mask))
    assert np.array_equal(examples["erase.vae"], restored["vae.erase"][:2])


def test_protocol_refuses_damage_of_other_noise_levels(tiny_vae):
    clean = blob(2)
    damaged, mask = corrupt(clean, 0, [0.1], [8, 8])
    with pytest.raises(ValueError, match="noise_s0.2"):
        run_protocol(tiny_vae, clean, damaged, mask, noise_sigmas=[0.2], denoisers=[])


def test_corrupt_draws_the_protocols_damage():
    clean = blob(3)
    damaged, mask = corrupt(clean, 5, [0.1, 0.2], [8, 8])
    rng = np.random.default_rng(5)
    assert np.array_equal(damaged["noise_s0.1"], add_noise(clean, 0.1, rng))
    assert np.array_equal(damaged["noise_s0.2"], add_noise(clean, 0.2, rng))
    erased, expected_mask = erase(clean, [8, 8], "random", rng)
    assert np.array_equal(damaged["erase"], erased) and np.array_equal(mask, expected_mask)


def test_damaged_faces_survive_their_file(tmp_path):
    damaged, mask = corrupt(blob(3), 5, [0.2, 0.1], [8, 8])
    save_npz(tmp_path / "damaged.npz", **damage_arrays(damaged, mask))
    again, again_mask = split_damage(load_npz(tmp_path / "damaged.npz"), [0.2, 0.1])
    assert list(again) == ["noise_s0.2", "noise_s0.1", "erase"]  # the order they are drawn in
    assert all(
        np.array_equal(again[k], v) and again[k].dtype == np.float32 for k, v in damaged.items()
    )
    assert again_mask.dtype == bool and np.array_equal(again_mask, mask)
    with pytest.raises(ValueError):
        split_damage(load_npz(tmp_path / "damaged.npz"), [0.1])  # a file of other levels
    with pytest.raises(ValueError):
        damage_arrays({MASK: mask}, mask)


def test_the_damage_script_writes_the_protocols_damage_of_the_test_faces(tmp_path):
    """scripts/damage_faces.py: the file holds corrupt(...) of the test faces for the seed."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (10, SIDE, SIDE), dtype=np.uint8)
    save_npz(tmp_path / "faces.npz", images=images)
    save_npz(tmp_path / "split.npz", train=np.arange(4), val=np.arange(4, 7), test=np.arange(7, 10))
    damage = dict(seed=4, noise_sigmas=[0.1, 0.3], erase_size=[10, 12], erase_position="random")
    snakemake = SimpleNamespace(
        input=SimpleNamespace(faces=tmp_path / "faces.npz", split=tmp_path / "split.npz"),
        output=SimpleNamespace(test=tmp_path / "damaged.npz", val=tmp_path / "val.npz"),
        params=SimpleNamespace(damage=damage, validation_faces=2),
        log=[tmp_path / "damage.log"],
    )
    runpy.run_path(str(SCRIPTS / "damage_faces.py"), init_globals={"snakemake": snakemake})
    stored = load_npz(tmp_path / "damaged.npz")
    damaged, mask = corrupt(images[7:].astype(np.float32) / 255, **damage)
    assert set(stored) == {"noise_s0.1", "noise_s0.3", "erase", "mask"}
    assert all(np.array_equal(stored[key], faces) for key, faces in damaged.items())
    assert np.array_equal(stored["mask"], mask)
    other, _ = corrupt(images[7:].astype(np.float32) / 255, **(damage | {"seed": 5}))
    assert not np.array_equal(stored["noise_s0.1"], other["noise_s0.1"])
    # The first two validation faces, damaged alike from the next seed.
    val = load_npz(tmp_path / "val.npz")
    val_damaged, val_mask = corrupt(images[4:6].astype(np.float32) / 255, **(damage | {"seed": 5}))
    assert all(np.array_equal(val[key], faces) for key, faces in val_damaged.items())
    assert np.array_equal(val["mask"], val_mask)


def test_grey_levels_round_trip():
    grey = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    assert from_grey(grey).dtype == np.float32
    assert np.array_equal(to_grey(from_grey(grey)), grey)
    assert to_grey(np.array([0.0, 0.5 / 255 - 1e-4, 1.0])).tolist() == [0, 0, 255]


@pytest.mark.parametrize("prior", ["normal", "gmm"])
def test_latent_search_lowers_its_objective_and_keeps_known_pixels(prior):
    torch.manual_seed(0)
    model = build_vae(latent=3, channels=(4, 8, 8), hidden=(16,), prior=prior, components=2)
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    clean = blob(5, width=6.0)
    erased, mask = erase(clean, [12, 12], "random", np.random.default_rng(0))
    restored, trace = latent_search(model, erased, 0.01, mask=mask, steps=30, batch_size=3)
    assert trace.shape == (31,) and trace[-1] < trace[0]
    assert np.array_equal(restored[~mask], erased[~mask])  # known pixels untouched
    assert not np.array_equal(restored[mask], erased[mask])  # the hole is filled
    # The model is left as it was: weights, mode and gradient flags.
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())
    assert model.training and all(p.requires_grad for p in model.parameters())
    noisy = add_noise(clean, 0.1, np.random.default_rng(1))
    denoised, trace = latent_search(model, noisy, 0.01 + 0.1**2, steps=30)
    assert trace[-1] < trace[0] and denoised.shape == noisy.shape
    assert denoised.min() >= 0 and denoised.max() <= 1


def test_latent_search_never_ends_above_its_start_and_starts_where_told():
    torch.manual_seed(0)
    model = build_vae(latent=3, channels=(4, 8, 8), hidden=(16,))
    clean = blob(4, width=6.0)
    noisy = add_noise(clean, 0.1, np.random.default_rng(1))
    # A rate far too large for this model: steps overshoot, but each face keeps its best code.
    _, trace = latent_search(model, noisy, 0.01, steps=20, lr=10.0)
    assert np.all(np.diff(trace) <= 1e-6) and trace[-1] <= trace[0]
    # No steps: the decoded code of `start`, here the clean faces, not of the damaged ones.
    with torch.no_grad():  # an untrained model barely tells faces apart: make it
        for layer in (model.to_code, model.from_code):
            for weight in layer.parameters():
                weight.mul_(30)
    restored, _ = latent_search(model, noisy, 0.01, steps=0, start=clean)
    np.testing.assert_allclose(restored, vae_restore(model, clean), atol=1e-6)
    assert np.abs(restored - vae_restore(model, noisy)).max() > 1e-3


def test_latent_search_returns_the_best_face_it_saw_not_the_last():
    """The trace is the lowest objective by construction, so it cannot tell whether the faces
    returned are those of the lowest objective. With a tiny variance the objective is nearly
    the misfit alone: since the start is one of the faces seen, the face returned can misfit
    the damaged one by at most variance * |z_start|^2 more than the start's face does."""
    torch.manual_seed(0)
    model = build_vae(latent=3, channels=(4, 8, 8), hidden=(16,))
    with torch.no_grad():  # a decoder whose output moves with the code
        for weight in model.from_code.parameters():
            weight.mul_(30)
    noisy = add_noise(blob(4, width=6.0), 0.1, np.random.default_rng(1))
    variance = 1e-4

    def misfit(faces):
        return ((faces - noisy) ** 2).sum(axis=(1, 2))

    start, _ = latent_search(model, noisy, variance, steps=0)
    with evaluating(model):  # the start's code, as the search encodes it
        code = model.encode(torch.from_numpy(noisy).unsqueeze(1))[0]
    slack = variance * code.pow(2).sum(dim=1).numpy() + 1e-4
    wild, _ = latent_search(model, noisy, variance, steps=20, lr=10.0)  # steps overshoot
    assert np.all(misfit(wild) <= misfit(start) + slack)
    # A sane rate improves on the start: the search does move the codes.
    found, _ = latent_search(model, noisy, variance, steps=30, lr=0.05)
    assert (
        np.all(misfit(found) <= misfit(start) + slack) and misfit(found).sum() < misfit(start).sum()
    )


def test_latent_search_on_no_faces():
    model = build_vae(latent=3, channels=(4, 8, 8), hidden=(16,))
    none = np.zeros((0, SIDE, SIDE), dtype=np.float32)
    restored, trace = latent_search(model, none, 0.01, mask=none.astype(bool), steps=3)
    assert restored.shape == (0, SIDE, SIDE) and trace.shape == (4,)


# --- chapter 3's search protocol ------------------------------------------------------------


def test_choose_rate_takes_the_best_validation_score():
    assert choose_rate({0.1: 20.0, 0.3: 25.0, 0.9: 25.0, 3.0: 21.0}) == 0.3  # first of equals
    assert choose_rate({0.1: np.nan, 0.3: 18.0, 0.9: 17.0}) == 0.3
    assert choose_rate({0.1: 12.0, 0.3: np.inf}) == 0.3  # a perfect restoration
    assert choose_rate({0.1: np.nan, 0.3: np.nan}) == 0.1  # no validation faces


class FakeSearch:
    """A stand-in for latent_search whose result depends on the rate: the rate itself, as a
    grey level, in the erased block (or everywhere when denoising), and outside the block the
    damaged face at rates from 0.5 up but 1 - rate below. Records every call."""

    def __init__(self):
        self.calls = []

    def __call__(self, model, damaged, variance, mask=None, steps=100, lr=0.01, start=None):
        self.calls.append(dict(damaged=damaged, variance=variance, mask=mask, lr=lr, start=start))
        fill = np.full_like(damaged, lr)
        if mask is None:
            return fill, np.zeros(steps + 1)
        outside = damaged if lr >= 0.5 else np.full_like(damaged, 1 - lr)
        return np.where(mask, fill, outside), np.linspace(2.0, 1.0, steps + 1)


SEARCH = dict(seed=7, noise_sigmas=[0.1, 0.2], erase_size=[16, 16], rates=[0.1, 0.3, 0.9])


def test_search_protocol_chooses_each_rate_on_validation_psnr(tiny_vae):
    clean = np.full((3, SIDE, SIDE), 0.35, dtype=np.float32)
    validation = np.full((4, SIDE, SIDE), 0.35, dtype=np.float32)
    damaged, mask = corrupt(clean, 7, [0.1, 0.2], [16, 16])
    start = np.where(mask, 0.5, damaged["erase"]).astype(np.float32)
    fake = FakeSearch()
    settings = dict(variance=0.01, steps=4, start=start, inpaint_iterations=2, search=fake)
    metrics, restored = search_protocol(
        tiny_vae, clean, damaged, mask, validation, **settings, **SEARCH
    )
    assert list(metrics) == [
        "decoder_variance",
        "steps",
        "rates",
        "noise_s0.1",
        "noise_s0.2",
        "erase",
    ]
    assert metrics["rates"] == [0.1, 0.3, 0.9] and metrics["steps"] == 4
    # Denoising: a face of the grey level 0.3 is nearest the clean 0.35.
    assert metrics["noise_s0.1"]["rate"] == metrics["noise_s0.2"]["rate"] == 0.3
    # Inpainting: on the whole face, 0.9 wins (it keeps the known pixels); on the erased
    # block, which decides, 0.3 does.
    scores = metrics["erase"]["validation_psnr"]
    assert metrics["erase"]["rate"] == 0.3 and scores[1] == max(scores)
    assert np.array_equal(restored["erase"][0][mask[0]], np.full(256, 0.3, dtype=np.float32))
    assert metrics["erase"]["objective"] == pytest.approx(np.linspace(2, 1, 5).tolist())
    assert "region_psnr" in metrics["erase"] and "region_psnr" not in metrics["noise_s0.1"]
    assert metrics["erase"]["psnr"] == pytest.approx(
        image_metrics(clean, restored["erase"])["psnr"].mean()
    )
    # Per damage: the three validation runs, then the test faces once.
    val_damaged, val_mask = corrupt(validation, 8, [0.1, 0.2], [16, 16])  # seed + 1
    # inpainting twice: from the encode-decode passes, then from the prior's mean code
    assert len(fake.calls) == 4 * 4
    assert all(run["start"] == "prior" for run in fake.calls[12:])
    assert metrics["erase"]["from_prior"]["rate"] == 0.3 and "erase_from_prior" in restored
    for first, key, variance in (
        (0, "noise_s0.1", 0.02),
        (4, "noise_s0.2", 0.05),
        (8, "erase", 0.01),
        (12, "erase", 0.01),
    ):
        runs = fake.calls[first : first + 4]
        assert [run["lr"] for run in runs] == [0.1, 0.3, 0.9, 0.3]
        assert all(run["variance"] == pytest.approx(variance) for run in runs)
        assert all(np.array_equal(run["damaged"], val_damaged[key]) for run in runs[:3])
        assert np.array_equal(runs[3]["damaged"], damaged[key])
    erasing = fake.calls[8:12]
    assert all(np.array_equal(run["mask"], val_mask) for run in erasing[:3])
    inpainted = vae_inpaint(tiny_vae, val_damaged["erase"], val_mask, 2)
    assert all(np.array_equal(run["start"], inpainted) for run in erasing[:3])
    assert erasing[3]["start"] is start and erasing[3]["mask"] is mask  # chapter 2's faces
    assert all(run["mask"] is None and run["start"] is None for run in fake.calls[:8])


def test_search_protocol_inpaints_its_own_start_without_one_and_keeps_known_pixels(tiny_vae):
    clean = blob(3, width=6.0)
    damaged, mask = corrupt(clean, 7, [0.1, 0.2], [16, 16])
    settings = dict(variance=0.01, steps=3, inpaint_iterations=2, **SEARCH)
    metrics, restored = search_protocol(tiny_vae, clean, damaged, mask, blob(2), **settings)
    erased = damaged["erase"]
    assert np.array_equal(restored["erase"][~mask], erased[~mask])
    assert all(faces.shape == clean.shape for faces in restored.values())
    # Without a start the test faces' inpainting is done here, as chapter 2 does it.
    start = vae_inpaint(tiny_vae, erased, mask, 2)
    again, restored_again = search_protocol(
        tiny_vae, clean, damaged, mask, blob(2), start=start, **settings
    )
    # ... and scored as the model's own passes, which a given start (chapter 2's) skips.
    passes = {key: metrics[key].pop("passes") for key in ("noise_s0.1", "noise_s0.2", "erase")}
    assert again == metrics
    assert all(np.array_equal(restored[key], restored_again[key]) for key in restored)
    assert passes["erase"]["region_psnr"] == pytest.approx(
        image_metrics(clean, start, mask)["psnr"].mean()
    )
    assert passes["noise_s0.2"]["psnr"] == pytest.approx(
        image_metrics(clean, vae_restore(tiny_vae, damaged["noise_s0.2"]))["psnr"].mean()
    )


def test_the_models_own_passes_are_paired_against_chapter_2s_restorers(tiny_vae):
    clean = blob(4, width=6.0)
    damaged, mask = corrupt(clean, 7, [0.1, 0.2], [16, 16])
    denoised = vae_restore(tiny_vae, damaged["noise_s0.1"])
    versus = {"noise_s0.1": {"vae": denoised, "corrupted": damaged["noise_s0.1"]}}
    settings = dict(variance=0.01, steps=2, search=FakeSearch(), versus=versus, **SEARCH)
    metrics, _ = search_protocol(tiny_vae, clean, damaged, mask, clean[:2], **settings)
    same = metrics["noise_s0.1"]["passes"]["versus"]["vae"]  # the same passes, face by face
    assert same["mean"] == same["ci95_low"] == same["ci95_high"] == 0.0
    against_input = metrics["noise_s0.1"]["passes"]["versus"]["corrupted"]
    assert against_input["mean"] == pytest.approx(
        metrics["noise_s0.1"]["passes"]["psnr"]
        - image_metrics(clean, damaged["noise_s0.1"])["psnr"].mean()
    )


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value encountered")
def test_search_protocol_on_no_faces(tiny_vae):
    none = np.zeros((0, SIDE, SIDE), dtype=np.float32)
    damaged, mask = corrupt(none, 7, [0.1, 0.2], [16, 16])
    metrics, restored = search_protocol(
        tiny_vae, none, damaged, mask, none, variance=0.01, steps=2, **SEARCH
    )
    assert all(faces.shape == (0, SIDE, SIDE) for faces in restored.values())
    assert metrics["erase"]["rate"] == 0.1  # no validation faces: the first rate
    assert np.isnan(metrics["noise_s0.1"]["psnr"])


def test_search_protocol_compares_with_each_restorer_face_by_face(tiny_vae):
    clean = np.full((6, SIDE, SIDE), 0.35, dtype=np.float32)
    damaged, mask = corrupt(clean, 7, [0.1, 0.2], [16, 16])
    settings = dict(variance=0.01, steps=2, search=FakeSearch(), **SEARCH)
    plain, restored = search_protocol(tiny_vae, clean, damaged, mask, clean[:2], **settings)
    versus = {
        "noise_s0.1": {"same": restored["noise_s0.1"], "near": clean + 0.01},
        "erase": {"same": restored["erase"], "grey": np.full_like(clean, 0.6)},
    }
    metrics, _ = search_protocol(
        tiny_vae,
        clean,
        damaged,
        mask,
        clean[:2],
        versus=versus,
        bootstrap={"resamples": 50},
        **settings,
    )
    assert "versus" not in plain["erase"] and "versus" not in metrics["noise_s0.2"]
    same = metrics["noise_s0.1"]["versus"]["same"]
    assert same["mean"] == same["ci95_low"] == same["ci95_high"] == 0.0  # identical faces
    assert metrics["noise_s0.1"]["versus"]["near"]["verdict"] == "lower"  # 0.3 is further off
    # Inpainting is compared on the erased block: the search fills it with 0.3, the other
    # restorer with 0.6, against a clean 0.35 (PSNR 26.0 against 11.1 dB on every face).
    grey = metrics["erase"]["versus"]["grey"]
    assert grey["mean"] == pytest.approx(10 * np.log10(1 / 0.05**2) - 10 * np.log10(1 / 0.25**2))
    assert grey["verdict"] == "higher"


def test_a_search_from_the_prior_starts_at_the_priors_mean_code(tiny_vae):
    from facevae.vae import MixturePrior

    clean = blob(3, width=6.0)
    damaged, mask = corrupt(clean, 7, [0.1], [16, 16])
    restored, _ = latent_search(tiny_vae, damaged["erase"], 0.01, mask, steps=0, start="prior")
    with torch.no_grad():
        mean = torch.zeros(1, tiny_vae.config.latent)
        expected = torch.sigmoid(tiny_vae.eval().decode(mean)).squeeze().numpy()
    for face, erased in zip(restored, mask):
        np.testing.assert_allclose(face[erased], expected[erased], atol=1e-6)
    mixture = MixturePrior.from_fit([0.25, 0.75], [[0.0, 4.0], [4.0, 0.0]], np.ones((2, 2)))
    assert torch.allclose(mixture.mean(), torch.tensor([3.0, 1.0]))


def test_chapter_2s_restorations_by_damage_with_the_damaged_input_as_a_restorer():
    from facevae.restore import by_damage

    faces = {
        name: np.full((2, SIDE, SIDE), value, dtype=np.float32)
        for name, value in (("a", 0.1), ("b", 0.2), ("c", 0.3))
    }
    restored = {"vae.noise_s0.1": faces["a"], "tv.noise_s0.1": faces["b"], "vae.erase": faces["c"]}
    damaged = {"noise_s0.1": faces["c"], "noise_s0.2": faces["a"], "erase": faces["b"]}
    out = by_damage(restored, damaged)
    assert {damage: sorted(methods) for damage, methods in out.items()} == {
        "noise_s0.1": ["corrupted", "tv", "vae"],
        "erase": ["corrupted", "vae"],
        "noise_s0.2": ["corrupted"],
    }
    assert out["noise_s0.1"]["corrupted"] is damaged["noise_s0.1"]
    assert out["noise_s0.1"]["tv"] is faces["b"]
    assert sorted(by_damage(restored)["noise_s0.1"]) == ["tv", "vae"]
