"""How well a VAE generates faces (chapter 3): likelihood bounds, a mixture fitted to the
posterior means, and faces drawn from a prior as judged by the chapter-1 classifiers.

Likelihood. The training loss (squared error summed over pixels + beta * KL) is not a
likelihood, so every model is given the same kind of decoder density to be compared by:
p(x|z) = N(x; sigmoid(decode(z)), s2 I), with one variance s2 per model fitted by maximum
likelihood on the validation faces (``decoder_variance``). With it,

    log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x),   z_i ~ q(z|x), i = 1..k,

the importance-weighted bound log (1/k) sum_i w_i is a lower bound on log p(x) that tightens
as k grows; k = 1 is the ELBO (``likelihood_bounds``). Values are nats per face (2304 pixels).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.mixture import GaussianMixture

from facevae.runtime import autocast
from facevae.vae import LOG_2PI, MixturePrior, diagonal_normal_log_prob, evaluating


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
        result[name] = {f"k{k}": iw_bound(log_w, k).numpy() for k in ks}
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
