"""The convolutional beta-VAE of chapter 2 and its loss.

Encoder: the chapter-1 conv blocks with doubled channels, then a wider dense head with one
extra hidden layer, giving the mean and log-variance of q(z|x) = N(mu, diag(exp(logvar))).
Decoder: dense layers back to the (C3, 6, 6) feature map, then three transposed convolutions
(stride 2) up to (1, 48, 48). The decoder returns logits; ``torch.sigmoid`` gives the image.

Prior p(z): the standard normal of the original, or (chapter 3) a mixture of K diagonal
Gaussians whose weights, means and variances are trained with the rest of the model. The KL
term is exact for the standard normal; for the mixture, which has no closed form, it is the
one-sample Monte Carlo estimate log q(z|x) - log p(z) at z drawn from q(z|x).
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from facevae.files import load_torch
from facevae.layers import FeatureExtractor


@dataclass
class VAEConfig:
    """Hyperparameters that rebuild a ConvVAE (saved in checkpoints as ``model_args``)."""

    latent: int = 256
    channels: tuple[int, int, int] = (64, 128, 256)  # chapter 1's widths doubled
    hidden: tuple[int, int] = (512, 256)  # dense layers between feature map and latent code
    leaky_slope: float = 0.01
    prior: str = "normal"  # "normal" (standard normal) or "gmm" (learned Gaussian mixture)
    components: int = 1  # mixture components K (gmm only)


LOG_2PI = math.log(2 * math.pi)


def diagonal_normal_log_prob(z, mean, logvar) -> torch.Tensor:
    """log N(z; mean, diag(exp(logvar))), summed over the last dimension."""
    return -0.5 * ((z - mean).pow(2) * torch.exp(-logvar) + logvar + LOG_2PI).sum(dim=-1)


class StandardNormalPrior(nn.Module):
    """p(z) = N(0, I): the prior of the original (no parameters)."""

    def __init__(self, latent: int):
        super().__init__()
        self.latent = latent

    def log_prob(self, z: torch.Tensor) -> torch.Tensor:
        """(B, D) -> (B,)"""
        return -0.5 * (z.pow(2) + LOG_2PI).sum(dim=-1)

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """n codes (on the CPU; ``generator`` is a CPU generator)."""
        return torch.randn(n, self.latent, generator=generator)


class MixturePrior(nn.Module):
    """p(z) = sum_k w_k N(z; m_k, diag(exp(v_k))), with w = softmax(logits).

    The means start spread as N(0, I) draws (from the global torch generator, seeded by the
    job), the variances at 1 and the weights equal, so at the start it is a blurred standard
    normal. ``from_fit`` builds one from fitted weights, means and variances instead.
    """

    def __init__(self, latent: int, components: int):
        super().__init__()
        if components < 1:
            raise ValueError(f"a mixture needs at least one component, got {components}")
        self.latent = latent
        self.logits = nn.Parameter(torch.zeros(components))
        self.means = nn.Parameter(torch.randn(components, latent))
        self.logvars = nn.Parameter(torch.zeros(components, latent))

    @classmethod
    def from_fit(cls, weights, means, variances) -> MixturePrior:
        """A fixed mixture from arrays: weights (K,), means (K, D), variances (K, D)."""
        means = torch.as_tensor(np.asarray(means), dtype=torch.float32)
        prior = cls(means.shape[1], means.shape[0])
        with torch.no_grad():
            prior.logits.copy_(torch.log(torch.as_tensor(np.asarray(weights))).float())
            prior.means.copy_(means)
            prior.logvars.copy_(torch.log(torch.as_tensor(np.asarray(variances))).float())
        return prior.requires_grad_(False)

    def log_prob(self, z: torch.Tensor) -> torch.Tensor:
        """(B, D) -> (B,): log of the mixture density, by log-sum-exp over components."""
        per_component = diagonal_normal_log_prob(z[:, None, :], self.means, self.logvars)
        return torch.logsumexp(torch.log_softmax(self.logits, dim=0) + per_component, dim=1)

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """n codes (on the CPU): a component by its weight, then a draw from it."""
        weights = torch.softmax(self.logits.detach().float().cpu(), dim=0)
        k = torch.multinomial(weights, n, replacement=True, generator=generator)
        eps = torch.randn(n, self.latent, generator=generator)
        means, logvars = self.means.detach().float().cpu(), self.logvars.detach().float().cpu()
        return means[k] + torch.exp(0.5 * logvars[k]) * eps


def build_prior(config: VAEConfig) -> nn.Module:
    if config.prior == "normal":
        return StandardNormalPrior(config.latent)
    if config.prior == "gmm":
        return MixturePrior(config.latent, config.components)
    raise ValueError(f"unknown prior {config.prior!r} (use normal or gmm)")


def dense_stack(widths, slope: float) -> nn.Sequential:
    """Linear layers of the given widths with LeakyReLU between them (none after the last)."""
    layers = []
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(widths) - 2:
            layers.append(nn.LeakyReLU(slope))
    return nn.Sequential(*layers)


def up_block(c_in: int, c_out: int, last: bool) -> nn.Sequential:
    """Transposed conv 4x4, stride 2: doubles the side. BN + ReLU except on the output."""
    conv = nn.ConvTranspose2d(c_in, c_out, kernel_size=4, stride=2, padding=1)
    return nn.Sequential(conv) if last else nn.Sequential(conv, nn.BatchNorm2d(c_out), nn.ReLU())


class ConvVAE(nn.Module):
    def __init__(self, config: VAEConfig):
        super().__init__()
        self.config = config
        self.features = FeatureExtractor(config.channels)
        c3, side = config.channels[-1], self.features.out_side
        self.map_shape = (c3, side, side)
        flat = self.features.out_features
        slope = config.leaky_slope
        # Encoder head: flat -> hidden... -> 2 * latent (mean and log-variance side by side).
        self.to_code = dense_stack([flat, *config.hidden, 2 * config.latent], slope)
        # Decoder head mirrors it: latent -> ...hidden -> flat, then LeakyReLU before the convs.
        self.from_code = dense_stack([config.latent, *config.hidden[::-1], flat], slope)
        widths = (c3, *config.channels[-2::-1], 1)  # e.g. 256 -> 128 -> 64 -> 1
        pairs = list(zip(widths[:-1], widths[1:]))
        self.up = nn.Sequential(
            *(up_block(a, b, last=(i == len(pairs) - 1)) for i, (a, b) in enumerate(pairs))
        )
        self.prior = build_prior(config)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 1, 48, 48) -> mean and log-variance, each (B, latent)."""
        code = self.to_code(self.features(x).flatten(1))
        mu, logvar = code.chunk(2, dim=1)
        return mu, logvar

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, latent) -> logits (B, 1, 48, 48)."""
        h = F.leaky_relu(self.from_code(z), self.config.leaky_slope)
        return self.up(h.view(-1, *self.map_shape))

    def forward(self, x: torch.Tensor):
        mu, logvar = self.encode(x)
        # Reparameterisation: z = mu + sigma * eps keeps the sample differentiable in mu, sigma.
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decode(z), mu, logvar

    def kl(self, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        """KL(q(z|x) || p(z)) per example: exact for the standard normal prior, else the
        one-sample estimate log q(z|x) - log p(z) at a fresh draw z ~ q(z|x)."""
        if isinstance(self.prior, StandardNormalPrior):
            return kl_divergence(mu, logvar)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return diagonal_normal_log_prob(z, mu, logvar) - self.prior.log_prob(z)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Decode the posterior mean (no sampling): images in [0, 1]."""
        mu, _ = self.encode(x)
        return torch.sigmoid(self.decode(mu))


def reconstruct_all(model: ConvVAE, x: torch.Tensor, batch_size: int) -> np.ndarray:
    """Posterior-mean reconstructions of images ``x`` (N, 1, 48, 48) on the model's device,
    in batches: float32 numpy (N, 48, 48). Runs under the caller's autocast, if any."""
    out = [
        model.reconstruct(x[i : i + batch_size]).float().cpu() for i in range(0, len(x), batch_size)
    ]
    return torch.cat(out).squeeze(1).numpy()


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) per example, summed over latent dimensions:
    0.5 * sum(mu^2 + exp(logvar) - logvar - 1)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - logvar - 1).sum(dim=1)


def reconstruction_error(logits: torch.Tensor, x: torch.Tensor, kind: str) -> torch.Tensor:
    """Per example, summed over the 48 x 48 pixels: squared error of sigmoid(logits) ("mse")
    or Bernoulli cross-entropy against the grey levels in [0, 1] ("bce")."""
    if kind == "mse":
        per_pixel = (torch.sigmoid(logits) - x).pow(2)
    elif kind == "bce":
        per_pixel = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    else:
        raise ValueError(f"unknown reconstruction term {kind!r} (use mse or bce)")
    return per_pixel.flatten(1).sum(dim=1)


def vae_loss(logits, x, mu, logvar, beta: float, kind: str = "mse", kl=None):
    """The beta-VAE objective, averaged over the batch:

        L = mean_b [ recon_b + beta * KL_b ],

    recon summed over pixels, KL summed over latent dimensions (``kl``: per-example values
    from ``ConvVAE.kl``; by default the exact KL to the standard normal). Returns
    (loss, recon, kl), the last two batch means, for logging.
    """
    recon = reconstruction_error(logits, x, kind).mean()
    kl = (kl_divergence(mu, logvar) if kl is None else kl).mean()
    return recon + beta * kl, recon, kl


def build_vae(**overrides) -> ConvVAE:
    """A ConvVAE from VAEConfig fields (lists accepted for the tuples)."""
    for key in ("channels", "hidden"):
        if key in overrides:
            overrides[key] = tuple(overrides[key])
    return ConvVAE(VAEConfig(**overrides))


def load_vae(path, device="cpu") -> ConvVAE:
    saved = load_torch(path, map_location=device)
    model = build_vae(**saved["model_args"]).to(device)
    model.load_state_dict(saved["state"])
    return model.eval()


@contextlib.contextmanager
def evaluating(model: torch.nn.Module):
    """Eval mode (BatchNorm uses its running statistics) and no gradients, then restore
    the caller's mode, so restoring never changes a model that is still being trained."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield next(model.parameters()).device
    finally:
        model.train(was_training)


# --- latent-space interpolation (figure 2.7) -------------------------------------------------


def sample_latent_corners(model, images, rng: np.random.Generator, n: int = 4) -> torch.Tensor:
    """n codes drawn from the learned latent distribution: the posteriors q(z|x) of n random
    faces, sampled as z = mu + sigma * eps. Returns (n, latent) on the model's device."""
    images = np.asarray(images, dtype=np.float32)
    index = rng.choice(len(images), size=n, replace=False)
    # eps comes from a CPU torch Generator seeded from rng: the same rng state gives the same
    # codes, and the global torch seed is left alone.
    generator = torch.Generator().manual_seed(int(rng.integers(2**63 - 1)))
    with evaluating(model) as device:
        x = torch.from_numpy(images[index]).unsqueeze(1).to(device)
        mu, logvar = model.encode(x)
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype).to(device)
        return (mu + torch.exp(0.5 * logvar) * eps).float()


def interpolation_grid(corners, steps: int):
    """Bilinear blend of four codes (top-left, top-right, bottom-left, bottom-right), (4, D),
    into a (steps, steps, D) grid; rows go top to bottom, columns left to right.

    Returns the same kind of array as ``corners`` (numpy or torch). The corner entries equal
    the corner codes exactly, since their weights are exactly 1, 0, 0, 0.
    """
    if steps < 2:
        raise ValueError("steps must be at least 2")
    is_torch = isinstance(corners, torch.Tensor)
    c = corners if is_torch else torch.from_numpy(np.asarray(corners))
    if c.ndim != 2 or c.shape[0] != 4:
        raise ValueError(f"corners must have shape (4, D), got {tuple(c.shape)}")
    t = torch.linspace(0, 1, steps, dtype=c.dtype, device=c.device)
    u, v = t[:, None], t[None, :]  # u: down the rows, v: across the columns
    weights = torch.stack([(1 - u) * (1 - v), (1 - u) * v, u * (1 - v), u * v], dim=-1)
    grid = torch.einsum("ijk,kd->ijd", weights, c)
    return grid if is_torch else grid.numpy()


def decode_grid(model, grid, batch_size: int = 512) -> np.ndarray:
    """Images sigmoid(decode(z)) for a (steps, steps, D) grid of codes: (steps, steps, 48, 48)."""
    z = grid if isinstance(grid, torch.Tensor) else torch.from_numpy(np.asarray(grid))
    rows, cols, latent = z.shape
    flat = z.reshape(rows * cols, latent)
    out = []
    with evaluating(model) as device:
        for start in range(0, len(flat), batch_size):
            logits = model.decode(flat[start : start + batch_size].to(device, torch.float32))
            out.append(torch.sigmoid(logits).squeeze(1).float().cpu().numpy())
    images = np.concatenate(out)
    return images.reshape(rows, cols, *images.shape[1:])
