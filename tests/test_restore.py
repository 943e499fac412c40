"""Corruptions, classical restorers and the VAE restorers of facevae.restore."""

import numpy as np
import pytest
import torch

from facevae import SIDE
from facevae.metrics import image_metrics
from facevae.restore import (
    DENOISERS,
    add_noise,
    corrupt,
    erase,
    inpaint_biharmonic,
    latent_search,
    run_protocol,
    vae_inpaint,
    vae_restore,
)
from facevae.vae import build_vae


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
    settings = dict(
        seed=0,
        noise_sigmas=[0.1, 0.2],
        denoisers=["mean_filter", "median"],
        erase_size=[8, 8],
        n_examples=2,
    )
    metrics, examples = run_protocol(tiny_vae, clean, **settings)
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
    again, _ = run_protocol(tiny_vae, clean, **settings)
    assert again == metrics  # one seed, the same damage and the same scores


def test_corrupt_draws_the_protocols_damage():
    clean = blob(3)
    damaged, mask = corrupt(clean, 5, [0.1, 0.2], [8, 8])
    rng = np.random.default_rng(5)
    assert np.array_equal(damaged["noise_s0.1"], add_noise(clean, 0.1, rng))
    assert np.array_equal(damaged["noise_s0.2"], add_noise(clean, 0.2, rng))
    erased, expected_mask = erase(clean, [8, 8], "random", rng)
    assert np.array_equal(damaged["erase"], erased) and np.array_equal(mask, expected_mask)


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
