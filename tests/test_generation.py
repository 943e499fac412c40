"""Chapter 3 generation: the mixture prior by hand, its training, the likelihood bounds and
their parts, the fitted mixture, the label distances, the protocol of one VAE and the
seed-by-seed comparison of a learned mixture with its standard-prior twin."""

import json
import math

import numpy as np
import pytest
import torch
from scipy.special import logsumexp
from scipy.stats import norm

from facevae.cnn import build_cnn
from facevae.files import save_torch
from facevae.generation import (
    BOUND_PARTS,
    bound_parts,
    compare_twins,
    decoder_variance,
    fit_mixture,
    generate,
    generation_protocol,
    iw_bound,
    label_shares,
    likelihood_bounds,
    log_weights,
    posterior_means,
    posterior_samples,
    sample_scores,
    total_variation,
    variance_term,
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


def test_the_bound_is_the_log_mean_weight_of_its_first_k_draws():
    """Jensen and growth with k hold for many wrong bounds (a max, a log-sum without the
    1/k, fresh draws per k): the bound is checked against log((1/k) sum_i w_i) itself."""
    w = torch.tensor([[0.0, 0.0, 0.0, 0.0], [-3.0, 1.0, -1.0, 2.0]])
    assert iw_bound(w, 4)[0].item() == pytest.approx(0.0, abs=1e-6)  # equal weights: their value
    for k in (1, 2, 4):
        expected = logsumexp(w[:, :k].numpy(), axis=1) - math.log(k)
        assert iw_bound(w, k).numpy() == pytest.approx(expected, abs=1e-5)
    assert torch.equal(iw_bound(w, 1), w[:, 0])


def test_log_weights_by_hand(trained_gmm_vae):
    """log w = log N(x; sigmoid(decode(z)), s2 I) + log p(z) - log q(z|x) for the draws
    z = mu + sigma * eps, eps the generator's normal draws in order."""
    model, x, _, _ = trained_gmm_vae
    x, variance, k = x[:3], 0.02, 2
    model.eval()
    normal = StandardNormalPrior(4)
    with torch.no_grad():
        w = log_weights(
            model,
            x,
            k,
            variance,
            {"own": model.prior, "normal": normal},
            torch.Generator().manual_seed(5),
        )
        mu, logvar = model.encode(x)
        generator = torch.Generator().manual_seed(5)
        for i in range(k):
            z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=generator)
            mean = torch.sigmoid(model.decode(z)).flatten(1).numpy().astype(float)
            pixels = x.flatten(1).numpy().astype(float)
            log_px = norm.logpdf(pixels, mean, math.sqrt(variance)).sum(axis=1)
            log_qz = norm.logpdf(z.numpy(), mu.numpy(), torch.exp(0.5 * logvar).numpy()).sum(axis=1)
            log_pz = norm.logpdf(z.numpy()).sum(axis=1)
            assert w["normal"][:, i].numpy() == pytest.approx(log_px + log_pz - log_qz, rel=1e-5)
            # The priors share the draws: only log p(z) differs between them.
            own = model.prior.log_prob(z).numpy()
            assert (w["own"] - w["normal"])[:, i].numpy() == pytest.approx(own - log_pz, abs=1e-3)


def test_likelihood_bounds_use_the_first_k_of_the_same_draws(trained_gmm_vae):
    model, x, _, _ = trained_gmm_vae
    model.eval()
    priors = {"own": model.prior}
    bounds = likelihood_bounds(model, x, [5, 1, 20], 0.02, priors, batch_size=len(x), seed=3)
    with torch.no_grad():
        w = log_weights(model, x, 20, 0.02, priors, torch.Generator().manual_seed(3))["own"]
    assert list(bounds["own"]) == ["k1", "k5", "k20", "elbo", "recon", "kl"]
    for k in (1, 5, 20):
        assert bounds["own"][f"k{k}"] == pytest.approx(iw_bound(w, k).numpy(), abs=1e-4)
    assert bounds["own"]["elbo"] == pytest.approx(w.mean(dim=1).numpy(), abs=1e-4)


def test_the_elbo_is_reconstruction_plus_the_variance_constant_minus_the_kl(trained_gmm_vae):
    """Face by face, on the same draws: the ELBO splits exactly into its three parts (up to
    float32 rounding of the log-weights), and the constant is -P/2 log(2 pi s2)."""
    model, x, _, _ = trained_gmm_vae
    model.eval()
    priors = {"own": model.prior, "normal": StandardNormalPrior(4)}
    bounds = likelihood_bounds(model, x, [1, 10], 0.02, priors, batch_size=16, seed=2)
    constant = variance_term(0.02, 48 * 48)
    assert constant == pytest.approx(-0.5 * 2304 * math.log(2 * math.pi * 0.02))
    for name in priors:
        parts = bounds[name]["recon"] + constant - bounds[name]["kl"]
        assert bounds[name]["elbo"] == pytest.approx(parts, abs=1e-2)
        assert (bounds[name]["recon"] < 0).all()
    # Both priors see the same draws: the same reconstruction term, different KLs.
    assert np.array_equal(bounds["own"]["recon"], bounds["normal"]["recon"])
    assert not np.allclose(bounds["own"]["kl"], bounds["normal"]["kl"])


def test_a_fitted_mixture_finds_two_clusters():
    rng = np.random.default_rng(0)
    codes = np.concatenate([rng.normal(-3, 0.5, (300, 2)), rng.normal(3, 0.5, (300, 2))])
    prior = fit_mixture(codes, 2, seed=0)
    centres = sorted(prior.means[:, 0].tolist())
    assert centres == pytest.approx([-3, 3], abs=0.15)
    assert torch.softmax(prior.logits, 0).tolist() == pytest.approx([0.5, 0.5], abs=0.05)
    assert not prior.means.requires_grad


def test_a_mixture_fitted_to_posterior_samples_does_not_collapse():
    """An untrained encoder's posteriors are wide (variance near 1) around means that barely
    move from face to face. A mixture fitted to the means is a spike where the bound's draws
    never fall (its bound collapses by thousands of nats, as at beta = 1); one fitted to
    samples of the aggregate posterior keeps their spread and scores near the standard prior
    those posteriors match."""
    torch.manual_seed(0)
    model = build_vae(latent=3, **TINY)
    x = image_tensor(make_faces(60, seed=2)["images"], "cpu")
    train, test = x[:40], x[40:]
    samples = posterior_samples(model, train, draws=2, seed=0)
    means = posterior_means(model, train)
    assert samples.shape == (80, 3)
    assert (samples.var(axis=0) > 100 * means.var(axis=0)).all()
    assert np.array_equal(samples, posterior_samples(model, train, draws=2, seed=0))
    variance = decoder_variance(model, test)
    priors = {
        "normal": StandardNormalPrior(3),
        "samples": fit_mixture(samples, 2),
        "means": fit_mixture(means, 2),
    }
    bounds = likelihood_bounds(model, test, [10], variance, priors)
    normal, fitted, collapsed = (bounds[name]["k10"].mean() for name in priors)
    assert fitted > normal - 2
    assert collapsed < normal - 1000


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


def test_sample_scores_by_hand():
    labels = np.array([0, 0, 1, 1])
    confidence = np.array([0.6, 0.8, 0.9, 0.7])
    real, truth = np.array([0, 0, 0, 1]), np.array([1, 1, 1, 1])
    scores = sample_scores("gender", labels, confidence, real, truth, {"resamples": 100, "seed": 0})
    assert scores["gender_tv"] == pytest.approx(0.25)  # shares (1/2, 1/2) against (3/4, 1/4)
    assert scores["gender_tv_truth"] == pytest.approx(0.5)  # against (0, 1)
    assert scores["gender_shares"] == [0.5, 0.5]
    assert scores["gender_confidence"] == pytest.approx(0.75)
    assert (
        0.6 <= scores["gender_confidence_ci95_low"] <= 0.75 <= scores["gender_confidence_ci95_high"]
    )
    assert 0 <= scores["gender_tv_ci95_low"] <= scores["gender_tv_ci95_high"] <= 0.75
    five = sample_scores("ethnicity", labels, confidence, real, truth, {"resamples": 10, "seed": 0})
    assert len(five["ethnicity_shares"]) == 5


@pytest.fixture(scope="module")
def protocol_run():
    torch.manual_seed(0)
    model = build_vae(latent=3, **TINY)  # untrained
    faces = make_faces(40, seed=1)
    parts = {"train": slice(0, 20), "val": slice(20, 28), "test": slice(28, 40)}
    x = {part: image_tensor(faces["images"][index], "cpu") for part, index in parts.items()}
    truth = {task: faces[task][parts["test"]] for task in ("gender", "ethnicity")}
    classifiers = {t: build_cnn(t, channels=(4, 8, 8), hidden=16).eval() for t in truth}
    settings = dict(
        ks=[4, 1],
        fitted_components=2,
        generated_faces=10,
        seed=0,
        n_examples=3,
        bootstrap={"resamples": 50, "seed": 0},
    )
    run = lambda: generation_protocol(model, x, truth, classifiers, **settings)  # noqa: E731
    return (
        run(),
        run(),
        lambda **changed: generation_protocol(model, x, truth, classifiers, **settings | changed),
    )


def test_generation_protocol_of_an_untrained_vae(protocol_run):
    (result, arrays), *_ = protocol_run
    assert list(result) == [
        "seed",
        "decoder_variance",
        "variance_term",
        "fitted_to",
        "bound_samples",
        "generated_faces",
        "real",
        "interval",
        "interval_generated",
        "own",
        "fitted",
    ]
    assert result["decoder_variance"] > 0 and result["bound_samples"] == [1, 4]
    assert result["variance_term"] == pytest.approx(
        -0.5 * 2304 * math.log(2 * math.pi * result["decoder_variance"])
    )
    # What the mixture was fitted to is recorded, for the text to say.
    assert result["fitted_to"] == "samples of the aggregate posterior, 1 per training face"
    assert result["generated_faces"] == 10
    assert set(result["real"]) == {"gender_confidence", "ethnicity_confidence"}
    for prior in ("own", "fitted"):
        scores = result[prior]
        bounds = [scores[key] for key in ("k1", "k4", "elbo")]
        assert all(math.isfinite(value) for value in bounds)
        assert scores["k4"] >= scores["elbo"]  # the bound over 4 draws, at least their mean
        assert scores["k4_ci95_low"] <= scores["k4"] <= scores["k4_ci95_high"]
        for task, classes in (("gender", 2), ("ethnicity", 5)):
            assert 0 <= scores[f"{task}_tv"] <= 1 and 0 <= scores[f"{task}_tv_truth"] <= 1
            assert len(scores[f"{task}_shares"]) == classes
            assert sum(scores[f"{task}_shares"]) == pytest.approx(1)
            assert 1 / classes <= scores[f"{task}_confidence"] <= 1
    assert result["own"]["k4"] != result["fitted"]["k4"]  # two priors, two bounds
    assert list(arrays) == [
        "own",
        "fitted",
        "bound_own",
        "kl_own",
        "bound_fitted",
        "kl_fitted",
        "recon",
        "variance_term",
        "seed",
    ]
    assert arrays["own"].shape == (3, 48, 48) and arrays["fitted"].shape == (3, 48, 48)
    assert arrays["bound_own"].dtype == np.float64 and arrays["bound_own"].shape == (12,)
    assert arrays["recon"].shape == arrays["kl_fitted"].shape == (12,)
    assert arrays["variance_term"] == result["variance_term"] and arrays["seed"] == 0
    # The saved per-face bounds are those of the largest k, whose mean the result reports,
    # and the saved parts are those whose means it reports.
    assert arrays["bound_fitted"].mean() == pytest.approx(result["fitted"]["k4"], rel=1e-5)
    assert arrays["recon"].mean() == pytest.approx(result["own"]["recon"], rel=1e-9)
    assert arrays["kl_own"].mean() == pytest.approx(result["own"]["kl"], rel=1e-9)


def test_generation_protocol_is_repeatable(protocol_run):
    (result, arrays), (again, arrays_again), _ = protocol_run
    assert again == result
    assert all(np.array_equal(arrays[key], arrays_again[key]) for key in arrays)


# --- a learned mixture against its standard-prior twin -------------------------------------


def _run(bound, recon, kl, constant, seed):
    """Hand-made generation arrays of one model and seed: per-face bound, reconstruction term
    and KL under its own prior, and the decoder-variance constant."""
    return {
        "bound_own": np.asarray(bound, dtype=float),
        "recon": np.asarray(recon, dtype=float),
        "kl_own": np.asarray(kl, dtype=float),
        "variance_term": np.float64(constant),
        "seed": np.int64(seed),
    }


def test_bound_parts_sum_to_the_bound_face_by_face():
    run = _run([-10.0, -12.5], [-3.0, -4.0], [2.0, 1.5], -5.5, seed=0)
    parts = bound_parts(run)
    assert parts["variance"].tolist() == [-5.5, -5.5]
    assert parts["minus_kl"].tolist() == [-2.0, -1.5]
    assert parts["iw_gap"].tolist() == pytest.approx([0.5, -1.5])  # -10 - (-3 - 5.5 - 2)
    total = sum(parts[part] for part in BOUND_PARTS)
    assert total.tolist() == pytest.approx(parts["bound"].tolist(), abs=1e-12)


def test_a_sharper_decoder_variance_alone_raises_the_bound_through_its_constant():
    """Two models that differ only in the fitted decoder variance: the whole difference is the
    constant's, P/2 log(s2_twin / s2_mixture), and it is named as what carries it."""
    rng = np.random.default_rng(0)
    recon, kl = rng.normal(-1152, 20, 30), rng.gamma(5, 4, 30)
    gap = rng.gamma(1, 1, 30)
    twin_constant = variance_term(0.0100, 2304)
    mixture_constant = variance_term(0.0097, 2304)  # 3 % sharper: +35 nats per face
    twin = {s: _run(recon + twin_constant - kl + gap, recon, kl, twin_constant, s) for s in (0, 1)}
    mixture = {
        s: _run(recon + mixture_constant - kl + gap, recon, kl, mixture_constant, s) for s in (0, 1)
    }
    result = compare_twins(mixture, twin, resamples=200)
    shift = 0.5 * 2304 * math.log(0.0100 / 0.0097)
    assert result["difference"] == pytest.approx(shift)
    assert result["variance"] == pytest.approx(shift)
    for part in ("recon", "minus_kl", "iw_gap"):
        assert result[part] == pytest.approx(0, abs=1e-9)
    assert result["carried_by"] == "variance" and result["verdict"] == "higher"


def test_the_parts_of_a_difference_sum_to_it_exactly():
    rng = np.random.default_rng(1)

    def model(seed, shift):
        recon, kl = rng.normal(-1150 + shift, 30, 50), rng.gamma(4, 5, 50)
        constant = variance_term(0.01 * (1 - shift / 1000), 2304)
        bound = recon + constant - kl + rng.gamma(2, 1, 50)
        return _run(bound, recon, kl, constant, seed)

    mixture = {s: model(s, 3.0) for s in (0, 1, 2)}
    twin = {s: model(s, 0.0) for s in (0, 1, 2)}
    groups = np.repeat(np.arange(25), 2)  # two faces per near-copy group
    result = compare_twins(mixture, twin, groups, resamples=300, seed=4)
    parts = [result[part] for part in BOUND_PARTS]
    assert sum(parts) == pytest.approx(result["difference"], rel=1e-12, abs=1e-12)
    for part in ("difference",) + BOUND_PARTS[:-1]:
        assert result[f"{part}_ci95_low"] <= result[part] <= result[f"{part}_ci95_high"]
    assert result["seeds"] == [0, 1, 2] and result["faces"] == 50
    assert result["per_seed"] == pytest.approx(
        [(mixture[s]["bound_own"] - twin[s]["bound_own"]).mean() for s in (0, 1, 2)]
    )
    assert result["difference"] == pytest.approx(np.mean(result["per_seed"]))
    assert result["difference_sd_seeds"] == pytest.approx(np.std(result["per_seed"], ddof=1))
    assert "seeds, paired seed by seed" in result["interval"]


def test_the_parts_of_two_protocol_runs_sum_to_their_difference(protocol_run):
    """The same on the files the protocol writes: two runs with different draw seeds, so
    that their bounds, variances and KLs all differ."""
    (_, arrays), _, run = protocol_run
    _, other = run(seed=7)
    result = compare_twins({0: arrays}, {0: other}, resamples=50)
    assert result["variance"] != 0 and result["minus_kl"] != 0
    parts = sum(result[part] for part in BOUND_PARTS)
    assert parts == pytest.approx(result["difference"], rel=1e-12, abs=1e-12)
    assert "difference_sd_seeds" not in result  # one seed: no spread over seeds
    json.dumps(result, allow_nan=False)  # strict JSON


def test_identical_twins_differ_by_exactly_zero():
    rng = np.random.default_rng(2)
    runs = {
        s: _run(rng.normal(-100, 5, 20), rng.normal(-80, 5, 20), rng.gamma(3, 1, 20), -10.0, s)
        for s in (0, 1, 2)
    }
    result = compare_twins(runs, dict(runs), np.arange(20) // 4, resamples=100)
    for part in ("difference",) + BOUND_PARTS:
        assert result[part] == result[f"{part}_ci95_low"] == result[f"{part}_ci95_high"] == 0
    assert result["verdict"] == "unclear" and result["per_seed"] == [0, 0, 0]


def test_twins_are_paired_by_seed_not_by_position():
    """Each twin's files given in another order: the pairs are still seed with seed (here
    identical, so the difference is zero); models of different seeds are not compared."""
    rng = np.random.default_rng(3)
    runs = {
        s: _run(rng.normal(-100, 5, 10), rng.normal(-80, 5, 10), rng.gamma(3, 1, 10), -s, s)
        for s in (0, 1, 2)
    }
    shuffled = {s: runs[s] for s in (2, 0, 1)}
    result = compare_twins(runs, shuffled, resamples=100)
    assert result["difference"] == result["difference_ci95_high"] == 0
    assert result["seeds"] == [0, 1, 2]
    # By position the seeds would have been compared across: a nonzero difference.
    by_position = dict(zip((0, 1, 2), shuffled.values()))
    with pytest.raises(ValueError, match="the file given for seed 0 holds seed 2"):
        compare_twins(runs, by_position)
    with pytest.raises(ValueError, match=r"the twins have seeds \[0, 1\], the mixture \[0, 1, 2\]"):
        compare_twins(runs, {s: runs[s] for s in (0, 1)})
