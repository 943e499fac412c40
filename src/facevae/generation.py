"""How well a VAE generates faces (chapter 3): likelihood bounds, a mixture fitted to the
posterior means, and faces drawn from a prior as judged by the chapter-1 classifiers.

Likelihood. The training loss (squared error summed over pixels + beta * KL) is not a
likelihood, so every model is given the same kind of decoder density to be compared by:
p(x|z) = N(x; sigmoid(decode(z)), s2 I), with one variance s2 per model fitted by maximum
likelihood on the validation faces (``decoder_variance``). With it,

    log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x),   z_i ~ q(z|x), i = 1..k,

the importance-weighted bound log (1/k) sum_i w_i is a lower bound on log p(x) that tightens
as k grows; k = 1 is the ELBO (``likelihood_bounds``). Values are nats per face (2304 pixels).

The protocol of one VAE (``generation_protocol``): the decoder variance on the validation
faces, the bounds on the test faces under the VAE's own prior and under a mixture fitted to
the posterior means of the training faces, and faces drawn from each prior, labelled by the
chapter-1 classifiers and set against the labels of the real test faces (total variation).
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
from facevae.vae import LOG_2PI, MixturePrior, diagonal_normal_log_prob, evaluating

log = logging.getLogger(__name__)

PRIORS = ("own", "fitted")  # the VAE's own prior, the mixture fitted to its codes


def bound_key(k: int) -> str:
    """Name of the importance-weighted bound with k samples: k50."""
    return f"k{k}"


def bound_array(prior: str) -> str:
    """Key, in a VAE's generation file, of each test face's bound under ``prior``."""
    return f"bound_{prior}"


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


def log_weights(model, x, k: int, variance: float, priors: dict, generator, precision="fp32"):
    """log w (N, k) of faces ``x`` (one batch) for each prior in ``priors`` (name -> module
    with ``log_prob``), all from the same k draws of z ~ q(z|x): {name: tensor}."""
    pixels = x[0].numel()
    with autocast(x.device, precision):
        mu, logvar = model.encode(x)
    mu, logvar = mu.float(), logvar.float()
    out = {name: torch.empty(len(x), k) for name in priors}
    for i in range(k):
        z = _draw(mu, logvar, generator)
        with autocast(x.device, precision):
            logits = model.decode(z)
        error = (torch.sigmoid(logits.float()) - x).pow(2).flatten(1).sum(dim=1)
        log_px = -0.5 * error / variance - 0.5 * pixels * (LOG_2PI + math.log(variance))
        log_qz = diagonal_normal_log_prob(z, mu, logvar)
        for name, prior in priors.items():
            out[name][:, i] = (log_px + prior.log_prob(z) - log_qz).cpu()
    return out


def iw_bound(log_w: torch.Tensor, k: int) -> torch.Tensor:
    """The importance-weighted bound of each face from its first k log-weights: (N,)."""
    return torch.logsumexp(log_w[:, :k], dim=1) - math.log(k)


def likelihood_bounds(
    model, x, ks, variance: float, priors: dict, batch_size=256, seed=0, precision="fp32"
) -> dict:
    """Per-face bounds on log p(x) for faces ``x``: {prior: {"k<k>": array (N,), ...,
    "elbo": array (N,)}}. The bound for each k uses the first k of the same max(ks) draws;
    "elbo" is the mean log-weight over all max(ks) draws (the ELBO, estimated with less
    noise than by one draw)."""
    ks = sorted(set(int(k) for k in ks))
    generator = torch.Generator().manual_seed(seed)
    parts = {name: [] for name in priors}
    with evaluating(model):
        for part in _batches(len(x), batch_size):
            for name, w in log_weights(
                model, x[part], ks[-1], variance, priors, generator, precision
            ).items():
                parts[name].append(w)
    result = {}
    for name, chunks in parts.items():
        log_w = torch.cat(chunks)
        result[name] = {bound_key(k): iw_bound(log_w, k).numpy() for k in ks}
        result[name]["elbo"] = log_w.mean(dim=1).numpy()
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
    precision="fp32",
):
    """How well one VAE models and generates faces.

    ``x`` holds the faces of each part ("train", "val", "test": (N, 1, 48, 48) on the
    model's device), ``truth`` the true labels of the test faces per task, ``classifiers``
    the chapter-1 CNNs per task. The decoder variance is fitted on the validation faces; the
    bounds for each k of ``ks`` on the test faces are computed under the VAE's own prior and
    under a mixture of ``fitted_components`` fitted to the posterior means of the training
    faces; ``generated_faces`` faces drawn from each prior are labelled by the classifiers
    (sample_scores). Every draw comes from ``seed``.

    Returns (result, arrays): result has the decoder variance, the ks, the number of
    generated faces, the classifiers' mean confidence on real test faces ("real") and, per
    prior, the mean bounds with intervals and the label scores; arrays has the first
    ``n_examples`` generated faces of each prior and, per prior (bound_array), each test
    face's bound with the most samples, float32.
    """
    device = next(model.parameters()).device
    # One Gaussian decoder variance per model, fitted on the validation faces.
    variance = decoder_variance(model, x["val"], seed=seed, precision=precision)
    codes = posterior_means(model, x["train"], precision=precision)
    fitted = fit_mixture(codes, fitted_components, seed)
    priors = dict(zip(PRIORS, (model.prior, fitted)))
    fitted.to(device)
    log.info("decoder variance %.5f; mixture of %d fitted", variance, fitted_components)
    bounds = likelihood_bounds(
        model, x["test"], ks, variance, priors, seed=seed, precision=precision
    )
    real = judge(classifiers, x["test"], precision)
    result = {
        "decoder_variance": variance,
        "bound_samples": sorted(ks),
        "generated_faces": generated_faces,
        "real": {f"{task}_confidence": float(conf.mean()) for task, (_, conf) in real.items()},
    }
    arrays = {}
    for name, prior in priors.items():
        scores = {key: float(np.mean(values)) for key, values in bounds[name].items()}
        scores |= mean_intervals(bounds[name], prefix="", **bootstrap)
        images = generate(model, prior, generated_faces, seed, precision=precision)
        arrays[name] = images[:n_examples]
        grey = image_tensor((images * 255).round().astype(np.uint8), device)
        for task, (labels, confidence) in judge(classifiers, grey, precision).items():
            scores |= sample_scores(task, labels, confidence, real[task][0], truth[task], bootstrap)
        result[name] = scores
        log.info("%s prior: %s", name, {k: v for k, v in scores.items() if "ci95" not in k})
    largest = bound_key(max(ks))
    arrays |= {bound_array(name): bounds[name][largest].astype(np.float32) for name in priors}
    return result, arrays
