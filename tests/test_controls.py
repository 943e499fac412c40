"""facevae.controls: a blur and a PCA projection tuned to a target PSNR on synthetic faces."""

import numpy as np
import pytest

from facevae.controls import (
    BLUR,
    PCA_NAME,
    FacePCA,
    blur,
    face_psnr,
    match_blur,
    match_pca,
    matched_controls,
    mean_psnr,
)
from facevae.metrics import image_metrics
from facevae.restore import from_grey
from facevae.synthetic import make_faces


@pytest.fixture(scope="module")
def faces():
    """Synthetic faces in [0, 1]: 160 to fit on, 40 to tune on, 40 to apply to."""
    images = from_grey(make_faces(240, seed=3, duplicate_fraction=0)["images"])
    return images[:160], images[160:200], images[200:]


@pytest.fixture(scope="module")
def pca(faces):
    return FacePCA(faces[0])


def test_face_psnr_is_the_psnr_of_image_metrics(faces):
    _, val, _ = faces
    noisy = val + np.random.default_rng(0).normal(0, 0.05, val.shape)
    np.testing.assert_allclose(face_psnr(val, noisy), image_metrics(val, noisy)["psnr"])


def test_blur_at_sigma_zero_is_the_identity(faces):
    _, val, _ = faces
    assert np.array_equal(blur(val, 0.0), val)
    assert mean_psnr(val, blur(val, 0.0)) == np.inf
    # and it loses detail as sigma grows
    assert mean_psnr(val, blur(val, 0.5)) > mean_psnr(val, blur(val, 2.0))


@pytest.mark.parametrize("sigma", [0.7, 1.6, 3.0])
def test_bisection_finds_the_blur_of_a_target_psnr(faces, sigma):
    _, val, _ = faces
    target = mean_psnr(val, blur(val, sigma))
    found = match_blur(val, target, tolerance=0.001)
    assert found["psnr"] == pytest.approx(target, abs=0.001)
    assert found["sigma"] == pytest.approx(sigma, rel=0.02)
    assert mean_psnr(val, blur(val, found["sigma"])) == pytest.approx(found["psnr"])


def test_a_target_out_of_reach_gives_the_largest_blur(faces):
    _, val, _ = faces
    found = match_blur(val, target=-10.0, max_sigma=4.0)
    assert found["sigma"] == 4.0 and found["psnr"] > -10.0


def test_pca_reconstruction_keeps_more_detail_with_more_components(faces, pca):
    train, val, _ = faces
    assert pca.components == 160  # fewer faces than pixels: one component per face at most
    scores = [mean_psnr(val, pca.reconstruct(val, k)) for k in (1, 5, 20, 80)]
    assert scores == sorted(scores)
    # all components rebuild the training faces themselves
    assert mean_psnr(train, pca.reconstruct(train, pca.components)) > 60


@pytest.mark.parametrize("k", [3, 17, 60])
def test_search_finds_the_number_of_components_of_a_target_psnr(faces, pca, k):
    _, val, _ = faces
    target = mean_psnr(val, pca.reconstruct(val, k))
    found = match_pca(pca, val, target)
    assert found == {"components": k, "psnr": pytest.approx(target)}
    # between two k the nearer one is kept
    between = (2 * target + mean_psnr(val, pca.reconstruct(val, k + 1))) / 3
    assert match_pca(pca, val, between)["components"] == k


def test_controls_are_tuned_on_validation_and_applied_to_test(faces, pca):
    _, val, test = faces
    vae_like = pca.reconstruct(val, 12) * 0.9 + 0.05  # some stand-in for a VAE's output
    target = mean_psnr(val, vae_like)
    settings, controls = matched_controls(pca, val, vae_like, test)
    assert settings["vae"] == {"val_psnr": target}
    assert settings[BLUR]["val_psnr"] == pytest.approx(target, abs=0.005)
    assert abs(settings[PCA_NAME]["val_psnr"] - target) < 1.0  # the nearest whole k
    assert set(controls) == {BLUR, PCA_NAME}
    assert np.array_equal(controls[BLUR], blur(test, settings[BLUR]["sigma"]))
    expected = pca.reconstruct(test, settings[PCA_NAME]["components"])
    assert np.array_equal(controls[PCA_NAME], expected)
    assert controls[PCA_NAME].shape == test.shape and controls[PCA_NAME].dtype == np.float32
    with pytest.raises(ValueError, match="nothing to match"):
        matched_controls(pca, val, val.copy(), test)
