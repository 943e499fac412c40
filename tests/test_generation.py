"""Chapter 3 generation: the mixture prior by hand, its training, the likelihood bounds,
the fitted mixture and the label distances."""

import math

import numpy as np
import pytest
import torch
from scipy.stats import norm

from facevae.files import save_torch
from facevae.generation import (
    decoder_variance,
    fit_mixture,
    generate,
    iw_bound,
    label_shares,
    likelihood_bounds,
    log_weights,
    total_variation,
)
from facevae.layers import checkpoint
from facevae.runtime import image_tensor
from facevae.synthetic import make_faces
from facevae.vae import MixturePrior, StandardNormalPrior, build_vae, kl_divergence, load_vae
from facevae.vae_train import VAETrainConfig, evaluate_vae, train_vae

TINY = {"channels": (4, 8, 8), "hidden": (16,)}


def test_one_component_at_the_origin_is_the_standard_normal():
    z = torch.randn(5, 3)
    mixture = MixturePrior.from_fit([1.0], np.zeros((1, 3)), np.ones((1, 3)))
    expected = norm.logpdf(z.numpy()).sum(axis=1)
    assert np.allclose(mixture.log_prob(z).numpy(), expected, atol=1e-5)
    assert np.allclose(StandardNormalPrior(3).log_prob(z).numpy(), expected, atol=1e-5)


def test_two_components_by_hand():
    weights, means, variances = [0.3, 0.7], [[-1.0, 2.0], [0.5, 0.0]], [[0.25, 1.0], [4.0, 0.5]]
    mixture = MixturePrior.from_fit(weights, means, variances)
    z = np.array([[0.0, 1.0], [-1.0, 2.0], [3.0, -2.0]])
    density = sum(
        w * norm.pdf(z, loc=m, scale=np.sqrt(v)).prod(axis=1)
        for w, m, v in zip(weights, means, variances)
    )
    got = mixture.log_prob(torch.tensor(z, dtype=torch.float32)).numpy()
    assert np.allclose(got, np.log(density), atol=1e-4)


def test_mixture_samples_follow_their_weights_and_means():
    mixture = MixturePrior.from_fit([0.2, 0.8], [[-5.0], [5.0]], [[0.01], [0.01]])
    z = mixture.sample(5000, torch.Generator().manual_seed(0))
    assert z.shape == (5000, 1)
    assert (z[:, 0] > 0).float().mean().item() == pytest.approx(0.8, abs=0.02)
    assert z[z[:, 0] < 0].mean().item() == pytest.approx(-5.0, abs=0.01)


def test_mixture_kl_estimate_matches_the_exact_kl_for_a_standard_normal_mixture():
    model = build_vae(latent=3, prior="gmm", components=1, **TINY)
    with torch.no_grad():
        model.prior.means.zero_()
        model.prior.logvars.zero_()
    mu = torch.tensor([[1.0, -0.5, 0.0]]).repeat(20000, 1)
    logvar = torch.tensor([[0.3, -1.0, 0.0]]).repeat(20000, 1)
    torch.manual_seed(0)
    estimate = model.kl(mu, logvar).mean().item()
    assert estimate == pytest.approx(kl_divergence(mu[:1], logvar[:1]).item(), abs=0.02)


def test_the_standard_prior_adds_no_weights():
    normal = build_vae(latent=4, **TINY)
    assert not any(key.startswith("prior.") for key in normal.state_dict())
    mixture = build_vae(latent=4, prior="gmm", components=3, **TINY)
    shapes = {k: tuple(v.shape) for k, v in mixture.state_dict().items() if k.startswith("prior")}
    assert shapes == {"prior.logits": (3,), "prior.means": (3, 4), "prior.logvars": (3, 4)}
    with pytest.raises(ValueError, match="unknown prior"):
        build_vae(latent=4, prior="flow", **TINY)


@pytest.fixture(scope="module")
def trained_gmm_vae():
    torch.manual_seed(0)
    model = build_vae(latent=4, prior="gmm", components=2, **TINY)
    x = image_tensor(make_faces(48, seed=0)["images"], "cpu")
    before = evaluate_vae(model, x, VAETrainConfig(beta=0.01))["recon"]
    start = {k: v.clone() for k, v in model.prior.state_dict().items()}
    train_vae(model, x, x, VAETrainConfig(beta=0.01, epochs=40, batch_size=48, lr=1e-2))
    return model, x, before, start


def test_a_mixture_prior_vae_trains_and_learns_its_prior(trained_gmm_vae, tmp_path):
    model, x, before, start = trained_gmm_vae
    cfg = VAETrainConfig(beta=0.01)
    assert evaluate_vae(model, x, cfg)["recon"] < 0.5 * before
    # The prior is trained with the rest: its means moved.
    assert not torch.allclose(model.prior.means, start["means"])
    save_torch(tmp_path / "m.pt", checkpoint(model))
    again = load_vae(tmp_path / "m.pt")
    assert isinstance(again.prior, MixturePrior)
    assert torch.equal(again.prior.means, model.prior.means)


def test_bounds_lie_above_the_elbo_and_tighten_with_k(trained_gmm_vae):
    model, x, _, _ = trained_gmm_vae
    variance = decoder_variance(model, x)
    assert 0 < variance < 0.1
    priors = {"own": model.prior, "normal": StandardNormalPrior(4)}
    with torch.no_grad():
        model.eval()
        w = log_weights(model, x, 20, variance, priors, torch.Generator().manual_seed(1))["own"]
    for k in (1, 5, 20):  # Jensen, face by face, on the same draws
        assert (iw_bound(w, k) >= w[:, :k].mean(dim=1) - 1e-4).all()
    bounds = likelihood_bounds(model, x, [1, 5, 50], variance, priors, batch_size=16)
    for name in priors:
        means = [bounds[name][f"k{k}"].mean() for k in (1, 5, 50)]
        assert means[0] < means[1] < means[2]
        assert bounds[name]["elbo"].mean() < means[2]
        assert bounds[name]["k1"].shape == (len(x),)


def test_a_fitted_mixture_finds_two_clusters():
    rng = np.random.default_rng(0)
    codes = np.concatenate([rng.normal(-3, 0.5, (300, 2)), rng.normal(3, 0.5, (300, 2))])
    prior = fit_mixture(codes, 2, seed=0)
    centres = sorted(prior.means[:, 0].tolist())
    assert centres == pytest.approx([-3, 3], abs=0.15)
    assert torch.softmax(prior.logits, 0).tolist() == pytest.approx([0.5, 0.5], abs=0.05)
    assert not prior.means.requires_grad


def test_generated_faces_and_label_distances(trained_gmm_vae):
    model, *_ = trained_gmm_vae
    faces = generate(model, model.prior, 10, seed=3)
    assert faces.shape == (10, 48, 48) and faces.min() >= 0 and faces.max() <= 1
    assert np.array_equal(faces, generate(model, model.prior, 10, seed=3))
    assert total_variation([1, 1], [1, 1]) == 0
    assert total_variation([1, 0], [0, 1]) == 1
    assert total_variation([3, 1], [1, 1]) == pytest.approx(0.25)
    assert label_shares(np.array([0, 0, 2]), 3).tolist() == pytest.approx([2 / 3, 0, 1 / 3])
    assert math.isclose(label_shares(np.array([], dtype=int), 2).sum(), 0)
