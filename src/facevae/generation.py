"""How well a VAE generates faces (chapter 3): likelihood bounds, a mixture fitted to samples
of the aggregate posterior, and faces drawn from a prior as judged by the chapter-1 classifiers.

Likelihood. The training loss (squared error summed over pixels + beta * KL) is not a
likelihood, so every model is given the same kind of decoder density to be compared by:
p(x|z) = N(x; sigmoid(decode(z)), s2 I), with one variance s2 per model fitted by maximum
likelihood on the validation faces (``decoder_variance``). With it,

    log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x),   z_i ~ q(z|x), i = 1..k,

the importance-weighted bound log (1/k) sum_i w_i is a lower bound on log p(x) that tightens
as k grows; k = 1 is the ELBO (``likelihood_bounds``). Values are nats per face (2304 pixels).

Parts of a bound. log p(x|z) = -|x - sigmoid(decode(z))|^2 / (2 s2) - P/2 log(2 pi s2) for P
pixels, so the ELBO, averaged over the draws, is exactly

    ELBO = recon + variance_term - KL,

with recon the mean of the first term over the draws (the squared error at the model's
variance), variance_term = -P/2 log(2 pi s2) the same constant for every face, and KL the
mean of log q(z|x) - log p(z) over the same draws. The bound with k draws adds the gap
bound_k - ELBO >= 0. Two models differ in s2, so a comparison of their bounds carries the
difference of their constants, P/2 log(s2_a / s2_b) nats per face, however alike their faces
look; ``bound_parts`` and ``compare_twins`` split a difference into these four parts.

The protocol of one VAE (``generation_protocol``): the decoder variance on the validation
faces, the bounds on the test faces under the VAE's own prior and under a mixture fitted to
samples z ~ q(z|x) of the training faces (the aggregate posterior the bound's draws come
from), and faces drawn from each prior, labelled by the chapter-1 classifiers and set against
the labels of the real test faces (total variation).
"""

from __future__ import annotations

import logging
import math

import numpy as np
import torch
from sklearn.mixture import GaussianMixture

from facevae.cnn import TASKS
from facevae.cnn_train import predict
from facevae.metrics import intervals, mean_intervals
from facevae.runtime import autocast, image_tensor
from facevae.stats import DESCRIBE, describe, paired
from facevae.vae import LOG_2PI, MixturePrior, diagonal_normal_log_prob, evaluating

log = logging.getLogger(__name__)

PRIORS = ("own", "fitted")  # the VAE's own prior, the mixture fitted to its codes
# Draws z ~ q(z|x) per training face that the fitted mixture is fitted to.
FIT_DRAWS = 1
# The parts of a bound (module docstring), in the order they are reported: the squared-error
# term, the decoder-variance constant, minus the KL term, and the importance-weighting gap.
BOUND_PARTS = ("recon", "variance", "minus_kl", "iw_gap")
RECON, VARIANCE_TERM, SEED = "recon", "variance_term", "seed"  # keys of a generation file


def bound_key(k: int) -> str:
    """Name of the importance-weighted bound with k samples: k50."""
    return f"k{k}"


def bound_array(prior: str) -> str:
    """Key, in a VAE's generation file, of each test face's bound under ``prior``."""
    return f"bound_{prior}"


def kl_array(prior: str) -> str:
    """Key, in a VAE's generation file, of each test face's KL estimate under ``prior``."""
    return f"kl_{prior}"


def variance_term(variance: float, pixels: int) -> float:
    """The constant of the Gaussian decoder's log-density: -P/2 log(2 pi s2)."""
    return -0.5 * pixels * (LOG_2PI + math.log(variance))


def _batches(n: int, size: int):
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def _draw(mu, logvar, generator):
    eps = torch.randn(mu.shape, generator=generator).to(mu.device)
    return mu + torch.exp(0.5 * logvar) * eps


def decoder_variance(model, x, batch_size: int = 512, seed: int = 0, precision="fp32") -> float:
    """The per-pixel variance s2 that maximises the likelihood of faces ``x`` (N, 1, 48, 48)
    under N(sigmoid(decode(z)), s2 I), z ~ q(z|x): the mean squared error over all pixels."""
    generator = torch.Generator().manual_seed(seed)
    total = 0.0
    with evaluating(model) as device:
        for part in _batches(len(x), batch_size):
            batch = x[part]
            with autocast(device, precision):
                mu, logvar = model.encode(batch)
            z = _draw(mu.float(), logvar.float(), generator)
            with autocast(device, precision):
                logits = model.decode(z)
            total += (torch.sigmoid(logits.float()) - batch).pow(2).sum().item()
    return total / x.numel()


def weight_parts(model, x, k: int, variance: float, priors: dict, generator, precision="fp32"):
    """The parts of log w (N, k) of faces ``x`` (one batch), all from the same k draws
    z ~ q(z|x): (recon, {name: log p(z) - log q(z|x) for each prior of ``priors``}), recon
    being -|x - sigmoid(decode(z))|^2 / (2 s2). log w = recon + variance_term + the prior's
    part."""
    with autocast(x.device, precision):
        mu, logvar = model.encode(x)
    mu, logvar = mu.float(), logvar.float()
    recon = torch.empty(len(x), k)
    rest = {name: torch.empty(len(x), k) for name in priors}
    for i in range(k):
        z = _draw(mu, logvar, generator)
        with autocast(x.device, precision):
            logits = model.decode(z)
        error = (torch.sigmoid(logits.float()) - x).pow(2).flatten(1).sum(dim=1)
        recon[:, i] = (-0.5 * error / variance).cpu()
        log_qz = diagonal_normal_log_prob(z, mu, logvar)
        for name, prior in priors.items():
            rest[name][:, i] = (prior.log_prob(z) - log_qz).cpu()
    return recon, rest


def log_weights(model, x, k: int, variance: float, priors: dict, generator, precision="fp32"):
    """log w (N, k) of faces ``x`` (one batch) for each prior in ``priors`` (name -> module
    with ``log_prob``), all from the same k draws of z ~ q(z|x): {name: tensor}."""
    recon, rest = weight_parts(model, x, k, variance, priors, generator, precision)
    constant = variance_term(variance, x[0].numel())
    return {name: recon + constant + part for name, part in rest.items()}


def iw_bound(log_w: torch.Tensor, k: int) -> torch.Tensor:
    """The importance-weighted bound of each face from its first k log-weights: (N,)."""
    return torch.logsumexp(log_w[:, :k], dim=1) - math.log(k)


def likelihood_bounds(
    model, x, ks, variance: float, priors: dict, batch_size=256, seed=0, precision="fp32"
) -> dict:
    """Per-face bounds on log p(x) for faces ``x`` and the parts of their ELBO:
    {prior: {"k<k>": array (N,), ..., "elbo", "recon", "kl"}}. The bound for each k uses the
    first k of the same max(ks) draws; "elbo" is the mean log-weight over all max(ks) draws
    (the ELBO, estimated with less noise than by one draw); "recon" and "kl" are the means
    over the same draws of -|x - sigmoid(decode(z))|^2 / (2 s2) and of
    log q(z|x) - log p(z), so that elbo = recon + variance_term(s2, pixels) - kl, face by face
    (up to float32 rounding)."""
    ks = sorted(set(int(k) for k in ks))
    generator = torch.Generator().manual_seed(seed)
    recons, parts = [], {name: [] for name in priors}
    with evaluating(model):
        for part in _batches(len(x), batch_size):
            recon, rest = weight_parts(
                model, x[part], ks[-1], variance, priors, generator, precision
            )
            recons.append(recon)
            for name, chunk in rest.items():
                parts[name].append(chunk)
    recon = torch.cat(recons)
    constant = variance_term(variance, x[0].numel())
    result = {}
    for name, chunks in parts.items():
        rest = torch.cat(chunks)
        log_w = recon + constant + rest
        result[name] = {bound_key(k): iw_bound(log_w, k).numpy() for k in ks}
        result[name]["elbo"] = log_w.mean(dim=1).numpy()
        result[name]["recon"] = recon.double().mean(dim=1).numpy()
        result[name]["kl"] = -rest.double().mean(dim=1).numpy()
    return result


def posterior_means(model, x, batch_size: int = 1024, precision="fp32") -> np.ndarray:
    """The means of q(z|x) for faces ``x``: float32 (N, latent)."""
    out = []
    with evaluating(model) as device:
        for part in _batches(len(x), batch_size):
            with autocast(device, precision):
                mu, _ = model.encode(x[part])
            out.append(mu.float().cpu())
    return torch.cat(out).numpy()


def posterior_samples(
    model, x, draws: int = 1, seed: int = 0, batch_size: int = 1024, precision="fp32"
) -> np.ndarray:
    """``draws`` codes z ~ q(z|x) for each of faces ``x``, a sample of the aggregate posterior
    (the mixture over faces of their posteriors): float32 (N * draws, latent), face by face.
    Unlike the posterior means these keep each posterior's own spread, which is where the
    bound's draws fall: a prior fitted to the means alone puts almost no density there when
    the posteriors are wide (at beta = 1)."""
    generator = torch.Generator().manual_seed(seed)
    out = []
    with evaluating(model) as device:
        for part in _batches(len(x), batch_size):
            with autocast(device, precision):
                mu, logvar = model.encode(x[part])
            mu, logvar = mu.float(), logvar.float()
            z = torch.stack([_draw(mu, logvar, generator) for _ in range(draws)], dim=1)
            out.append(z.flatten(0, 1).cpu())
    return torch.cat(out).numpy()


def fit_mixture(codes: np.ndarray, components: int, seed: int = 0) -> MixturePrior:
    """A diagonal Gaussian mixture fitted by EM to ``codes`` (N, latent), the cheap
    alternative to learning the prior: a fixed MixturePrior."""
    gmm = GaussianMixture(components, covariance_type="diag", random_state=seed, reg_covar=1e-4)
    gmm.fit(np.asarray(codes, dtype=np.float64))
    return MixturePrior.from_fit(gmm.weights_, gmm.means_, gmm.covariances_)


def generate(model, prior, n: int, seed: int = 0, batch_size: int = 512, precision="fp32"):
    """n faces decoded from codes drawn from ``prior``: float32 (n, 48, 48) in [0, 1]."""
    generator = torch.Generator().manual_seed(seed)
    codes = prior.sample(n, generator)
    out = []
    with evaluating(model) as device:
        for part in _batches(n, batch_size):
            with autocast(device, precision):
                logits = model.decode(codes[part].to(device))
            out.append(torch.sigmoid(logits.float()).squeeze(1).cpu())
    return torch.cat(out).numpy()


def total_variation(p, q) -> float:
    """Half the L1 distance between two distributions over the same classes."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    return 0.5 * float(np.abs(p / p.sum() - q / q.sum()).sum())


def label_shares(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Share of each class among integer ``labels``."""
    return np.bincount(np.asarray(labels), minlength=n_classes) / max(len(labels), 1)


# --- the protocol of one VAE ----------------------------------------------------------------


def judge(classifiers: dict, images, precision="fp32", batch_size: int = 1024) -> dict:
    """Per task of ``classifiers`` ({task: CNN}): the class each of ``images`` (N, 1, 48, 48)
    is given and the probability of that class, as {task: (labels, confidence)}."""
    out = {}
    for task, cnn in classifiers.items():
        prob = torch.softmax(predict(cnn, images, batch_size, precision), dim=1).numpy()
        out[task] = (prob.argmax(1), prob.max(1))
    return out


def sample_scores(task: str, labels, confidence, real_labels, true_labels, bootstrap: dict) -> dict:
    """How the labels a classifier gives generated faces compare with those of the real test
    faces: total variation from the labels it predicts for them (``<task>_tv``) and from
    their true labels (``<task>_tv_truth``), the label shares, the mean confidence, and
    bootstrap intervals (over the generated faces) of the first and of the last."""
    n_classes = TASKS[task]["outputs"]
    reference = label_shares(real_labels, n_classes)
    truth = label_shares(true_labels, n_classes)
    shares = label_shares(labels, n_classes)
    scores = {
        f"{task}_tv": total_variation(shares, reference),
        f"{task}_tv_truth": total_variation(shares, truth),
        f"{task}_shares": shares.tolist(),
        f"{task}_confidence": float(confidence.mean()),
    }
    statistics = {
        f"{task}_tv": lambda i: total_variation(label_shares(labels[i], n_classes), reference),
        f"{task}_confidence": lambda i: confidence[i].mean(),
    }
    return scores | intervals(statistics, len(labels), **bootstrap)


def generation_protocol(
    model,
    x: dict,
    truth: dict,
    classifiers: dict,
    *,
    ks,
    fitted_components: int,
    generated_faces: int,
    seed: int,
    n_examples: int,
    bootstrap: dict,
    groups=None,
    model_seed: int = 0,
    fit_draws: int = FIT_DRAWS,
    precision="fp32",
):
    """How well one VAE models and generates faces.

    ``x`` holds the faces of each part ("train", "val", "test": (N, 1, 48, 48) on the
    model's device), ``truth`` the true labels of the test faces per task, ``classifiers``
    the chapter-1 CNNs per task. The decoder variance is fitted on the validation faces; the
    bounds for each k of ``ks`` on the test faces are computed under the VAE's own prior and
    under a mixture of ``fitted_components`` fitted to ``fit_draws`` samples z ~ q(z|x) per
    training face; ``generated_faces`` faces drawn from each prior are labelled by the
    classifiers (sample_scores). Every draw comes from ``seed``; ``model_seed`` (the seed the
    VAE was trained with) is only recorded, for comparisons that pair models seed by seed.
    The intervals of the bounds draw the near-copy ``groups`` of the test faces whole (one
    label per test face; None: every face alone); those of the label scores draw the
    generated faces one by one. ``interval`` and ``interval_generated`` say so in words.

    Returns (result, arrays): result has the model seed, the decoder variance and its
    constant, what the mixture was fitted to, the ks, the number of generated faces, the
    classifiers' mean confidence on real test faces ("real") and, per prior, the mean bounds,
    ELBO, reconstruction term and KL with intervals and the label scores; arrays has the
    first ``n_examples`` generated faces of each prior and, float64 per test face, the bound
    with the most samples (bound_array) and the KL (kl_array) under each prior, the
    reconstruction term (RECON), and the constant (VARIANCE_TERM) and model seed (SEED).
    """
    device = next(model.parameters()).device
    # One Gaussian decoder variance per model, fitted on the validation faces.
    variance = decoder_variance(model, x["val"], seed=seed, precision=precision)
    constant = variance_term(variance, x["test"][0].numel())
    # The mixture is fitted where the bound's draws fall: to samples of the aggregate
    # posterior, not to the posterior means (which miss the spread of each posterior).
    codes = posterior_samples(model, x["train"], fit_draws, seed, precision=precision)
    fitted = fit_mixture(codes, fitted_components, seed)
    priors = dict(zip(PRIORS, (model.prior, fitted)))
    fitted.to(device)
    log.info("decoder variance %.5f; mixture of %d fitted", variance, fitted_components)
    bounds = likelihood_bounds(
        model, x["test"], ks, variance, priors, seed=seed, precision=precision
    )
    real = judge(classifiers, x["test"], precision)
    draws = "1 per training face" if fit_draws == 1 else f"{fit_draws} per training face"
    result = {
        SEED: int(model_seed),
        "decoder_variance": variance,
        VARIANCE_TERM: constant,
        "fitted_to": f"samples of the aggregate posterior, {draws}",
        "bound_samples": sorted(ks),
        "generated_faces": generated_faces,
        "real": {f"{task}_confidence": float(conf.mean()) for task, (_, conf) in real.items()},
        "interval": DESCRIBE["groups"],
        "interval_generated": DESCRIBE["generated"],
    }
    arrays = {}
    for name, prior in priors.items():
        scores = {key: float(np.mean(values)) for key, values in bounds[name].items()}
        scores |= mean_intervals(bounds[name], prefix="", **bootstrap, groups=groups)
        images = generate(model, prior, generated_faces, seed, precision=precision)
        arrays[name] = images[:n_examples]
        grey = image_tensor((images * 255).round().astype(np.uint8), device)
        for task, (labels, confidence) in judge(classifiers, grey, precision).items():
            scores |= sample_scores(task, labels, confidence, real[task][0], truth[task], bootstrap)
        result[name] = scores
        log.info("%s prior: %s", name, {k: v for k, v in scores.items() if "ci95" not in k})
    largest = bound_key(max(ks))
    for name in priors:
        arrays[bound_array(name)] = bounds[name][largest].astype(np.float64)
        arrays[kl_array(name)] = bounds[name]["kl"]
    arrays[RECON] = bounds[PRIORS[0]]["recon"]
    arrays[VARIANCE_TERM] = np.float64(constant)
    arrays[SEED] = np.int64(model_seed)
    return result, arrays


# --- a learned mixture against its standard-prior twin -------------------------------------


def bound_parts(arrays: dict, prior: str = "own") -> dict[str, np.ndarray]:
    """Each test face's bound under ``prior`` (from a VAE's generation ``arrays``) and its
    parts, float64 (N,): "bound", and BOUND_PARTS, which sum to it exactly by construction:
    the reconstruction term, the decoder-variance constant, minus the KL, and the gap
    between the bound and the ELBO those three make."""
    bound = np.asarray(arrays[bound_array(prior)], dtype=np.float64)
    recon = np.asarray(arrays[RECON], dtype=np.float64)
    variance = np.full_like(bound, float(arrays[VARIANCE_TERM]))
    minus_kl = -np.asarray(arrays[kl_array(prior)], dtype=np.float64)
    elbo = recon + variance + minus_kl
    return {
        "bound": bound,
        "recon": recon,
        "variance": variance,
        "minus_kl": minus_kl,
        "iw_gap": bound - elbo,
    }


def compare_twins(
    mixture: dict, twin: dict, groups=None, resamples: int = 2000, seed: int = 0
) -> dict:
    """A learned-mixture VAE against its standard-prior twin on the same test faces, each
    model given per training seed (``mixture``, ``twin``: {seed: generation arrays}; the
    seeds must be the same and every file must hold the seed it is filed under).

    The difference of the bounds under each model's own prior is taken seed by seed (the
    mixture of seed s against the twin of seed s) and face by face; its mean has a two-level
    interval (seeds, then near-copy ``groups`` of the faces: one label per face, None for
    one face per group; facevae.stats.paired) and a verdict ("higher", "lower", "unclear"),
    with the spread of the seeds' mean differences when there are several seeds. The same
    is given for each of BOUND_PARTS, whose means sum to the difference (the gap's mean is
    what the other three leave, so the sum holds to the last rounding); "carried_by" names
    the part of largest size, "per_seed" gives the mean difference of each seed and
    "interval" says what the intervals resample.
    """
    seeds = sorted(mixture)
    if sorted(twin) != seeds:
        raise ValueError(f"the twins have seeds {sorted(twin)}, the mixture {seeds}")
    for runs in (mixture, twin):
        for key, arrays in runs.items():
            if SEED in arrays and int(arrays[SEED]) != int(key):
                raise ValueError(f"the file given for seed {key} holds seed {int(arrays[SEED])}")
    ours = [bound_parts(mixture[s]) for s in seeds]
    theirs = [bound_parts(twin[s]) for s in seeds]
    options = dict(groups=groups, resamples=resamples, seed=seed)
    result = {
        "seeds": seeds,
        "faces": len(ours[0]["bound"]),
        "interval": describe(len(seeds), paired=True),
    }
    for key in ("bound",) + BOUND_PARTS:
        found = paired([o[key] for o in ours], [t[key] for t in theirs], **options)
        name = "difference" if key == "bound" else key
        result[name] = found["mean"]
        result |= {f"{name}_{end}": found[end] for end in ("ci95_low", "ci95_high")}
        if key == "bound":
            result["verdict"] = found["verdict"]
            if "sd_seeds" in found:
                result["difference_sd_seeds"] = found["sd_seeds"]
    result["iw_gap"] = result["difference"] - sum(result[part] for part in BOUND_PARTS[:-1])
    result["carried_by"] = max(BOUND_PARTS, key=lambda part: abs(result[part]))
    result["per_seed"] = [float((o["bound"] - t["bound"]).mean()) for o, t in zip(ours, theirs)]
    return result
