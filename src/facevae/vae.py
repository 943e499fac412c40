"""The beta-VAEs of the project and their loss.

ConvVAE, chapter 2's model. Encoder: the chapter-1 conv blocks with doubled channels, then a
wider dense head with one extra hidden layer, giving the mean and log-variance of q(z|x) =
N(mu, diag(exp(logvar))). Decoder: dense layers back to the (C3, 6, 6) feature map, then
three transposed convolutions (stride 2) up to (1, 48, 48). The decoder returns logits;
``torch.sigmoid`` gives the image.

ResVAE, chapter 3's improved model. ConvVAE starts from random weights and, on a CPU budget,
ends far below PCA with as many components as it has latent dimensions. ResVAE changes three
things, each a setting, so that the ablation can take it away again:

* **Residual blocks and GroupNorm** (``blocks``): three 4x4 stride-2 convolutions take the
  face from 48 to 24, 12 and 6 pixels, each followed by ``blocks`` pre-activation residual
  blocks (GroupNorm, SiLU, 3x3 convolution, twice, plus the input); the decoder mirrors it
  with transposed convolutions. Only the first and the last convolution run at 48 x 48.
* **A linear path** (``linear_path``): the encoder's mean gets a linear map of the whole face
  and the decoder's image a linear map of the code, both set from the training faces'
  principal components before training (``init_from_pca``, whitened so that the codes of
  the training faces have unit variance, as the prior asks). The convolutional parts enter
  through scalar gates that start at zero, so training starts where PCA with ``latent``
  components ends and the convolutions learn what PCA misses. The linear path learns at
  ``linear_lr`` times the rate of the rest: at the full rate Adam's first steps, which move
  every weight by about the rate, would undo the components in a few batches.
* **Its image in grey levels**: with the linear path the decoder's output is the image
  itself; ``decode`` returns logit(clip(image)) so that, as for ConvVAE, sigmoid(decode(z))
  is the image (clipped to [0, 1]) and every experiment can use either model.

Both share VAEBase (``forward``, ``kl``, ``reconstruct``); ``build_vae`` builds either from
its saved ``model_args`` (``arch="res"`` for ResVAE).

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

    def mean(self) -> torch.Tensor:
        """The prior's mean code (latent,): zero."""
        return torch.zeros(self.latent)


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

    def mean(self) -> torch.Tensor:
        """The mixture's mean code (latent,): the components' means, weighted (on the CPU)."""
        weights = torch.softmax(self.logits.detach().float().cpu(), dim=0)
        return weights @ self.means.detach().float().cpu()

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


class VAEBase(nn.Module):
    """What every VAE of the project shares; a subclass gives ``encode(x) -> (mu, logvar)``,
    ``decode(z) -> logits``, a ``prior`` and its ``config``."""

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

    def parameter_groups(self, lr: float) -> list[dict]:
        """The optimizer's parameter groups and their rates: one group at ``lr``."""
        return [{"params": list(self.parameters()), "lr": lr}]


class ConvVAE(VAEBase):
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
        return mu, bounded_logvar(logvar)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, latent) -> logits (B, 1, 48, 48)."""
        h = F.leaky_relu(self.from_code(z), self.config.leaky_slope)
        return self.up(h.view(-1, *self.map_shape))


# --- chapter 3: the improved VAE (see the module's docstring) --------------------------------

SIDE = 48
CLIP = 1e-4  # how close to 0 and 1 the linear path's image may come before its logit


@dataclass
class ResVAEConfig:
    """Hyperparameters that rebuild a ResVAE (saved in checkpoints as ``model_args``)."""

    arch: str = "res"
    latent: int = 256
    channels: tuple[int, int, int] = (32, 64, 128)  # at 24, 12 and 6 pixels
    blocks: int = 1  # residual blocks per resolution, in the encoder and in the decoder
    linear_path: bool = True
    linear_lr: float = 0.003  # the linear path's learning rate, relative to the others'
    prior: str = "normal"  # "normal" or "gmm", as for ConvVAE
    components: int = 1


def _norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(min(8, channels), channels)


class ResBlock(nn.Module):
    """x + conv(SiLU(norm(conv(SiLU(norm(x)))))): the shape of x is kept."""

    def __init__(self, channels: int):
        super().__init__()
        layers = []
        for _ in range(2):
            layers += [_norm(channels), nn.SiLU(), nn.Conv2d(channels, channels, 3, padding=1)]
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def _down(c_in: int, c_out: int, blocks: int) -> list[nn.Module]:
    """Halve the side (4x4 convolution, stride 2), then ``blocks`` residual blocks."""
    return [nn.Conv2d(c_in, c_out, 4, stride=2, padding=1)] + [
        ResBlock(c_out) for _ in range(blocks)
    ]


def _up(c_in: int, c_out: int) -> list[nn.Module]:
    """GroupNorm, SiLU, then double the side (4x4 transposed convolution, stride 2)."""
    return [_norm(c_in), nn.SiLU(), nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1)]


class ResVAE(VAEBase):
    def __init__(self, config: ResVAEConfig):
        super().__init__()
        self.config = config
        c1, c2, c3 = config.channels
        latent, blocks = config.latent, config.blocks
        self.map_shape = (c3, SIDE // 8, SIDE // 8)
        flat = c3 * (SIDE // 8) ** 2
        self.encoder = nn.Sequential(
            *_down(1, c1, blocks),
            *_down(c1, c2, blocks),
            *_down(c2, c3, blocks),
            _norm(c3),
            nn.SiLU(),
            nn.Flatten(),
            nn.Linear(flat, 2 * latent),  # mean and log-variance side by side
        )
        self.from_code = nn.Linear(latent, flat)
        res = lambda c: [ResBlock(c) for _ in range(blocks)]  # noqa: E731
        self.decoder = nn.Sequential(
            *res(c3), *_up(c3, c2), *res(c2), *_up(c2, c1), *res(c1), *_up(c1, 1)
        )
        self.prior = build_prior(config)
        if config.linear_path:
            self.linear_encoder = nn.Linear(SIDE * SIDE, latent)
            self.linear_decoder = nn.Linear(latent, SIDE * SIDE)
            self.linear_logvar = nn.Parameter(torch.zeros(latent))
            # conv mean, conv log-variance, conv image: each starts switched off
            self.gates = nn.Parameter(torch.zeros(3))

    @torch.no_grad()
    def init_from_pca(self, mean, components, variances, noise: float = 5e-3) -> None:
        """Set the linear path to whitened PCA: code = diag(1/sqrt(variances)) components
        (x - mean), image = mean + components^T diag(sqrt(variances)) code. ``components``
        (latent, 2304) orthonormal rows, ``variances`` (latent,) the training faces' variance
        along each, ``mean`` (2304,). The posterior variances start at those of probabilistic
        PCA with a per-pixel ``noise`` variance."""
        to = lambda a: torch.as_tensor(np.asarray(a), dtype=torch.float32)  # noqa: E731
        mean, components, variances = to(mean), to(components), to(variances)
        if components.shape != (self.config.latent, SIDE * SIDE):
            raise ValueError(
                f"{self.config.latent} components of {SIDE * SIDE} pixels expected, got"
                f" {tuple(components.shape)}"
            )
        scale = variances.sqrt()
        self.linear_encoder.weight.copy_(components / scale[:, None])
        self.linear_encoder.bias.copy_(-(components @ mean) / scale)
        self.linear_decoder.weight.copy_((components * scale[:, None]).T)
        self.linear_decoder.bias.copy_(mean)
        noise = max(noise, 1e-6)  # beta 0: posteriors start narrow, not at zero width
        self.linear_logvar.copy_(torch.log(noise / (variances + noise)))

    def parameter_groups(self, lr: float) -> list[dict]:
        """Optimizer groups: the linear path at ``linear_lr`` times ``lr``, the rest at lr."""
        linear = {"linear_encoder", "linear_decoder", "linear_logvar"}
        slow = [p for n, p in self.named_parameters() if n.split(".")[0] in linear]
        fast = [p for n, p in self.named_parameters() if n.split(".")[0] not in linear]
        groups = [{"params": fast, "lr": lr}]
        return groups + ([{"params": slow, "lr": lr * self.config.linear_lr}] if slow else [])

    def _full_precision(self, x: torch.Tensor):
        """The linear path in float32 under bf16 autocast: PCA's small components need it."""
        return torch.autocast(x.device.type, enabled=False)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 1, 48, 48) -> mean and log-variance, each (B, latent)."""
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        if not self.config.linear_path:
            return mu, bounded_logvar(logvar)
        with self._full_precision(x):
            mu = self.gates[0] * mu.float() + self.linear_encoder(x.reshape(len(x), -1).float())
            logvar = self.gates[1] * logvar.float() + self.linear_logvar
        return mu, bounded_logvar(logvar)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, latent) -> logits (B, 1, 48, 48); sigmoid gives the image in [0, 1]."""
        out = self.decoder(self.from_code(z).view(-1, *self.map_shape))
        if not self.config.linear_path:
            return out
        with self._full_precision(z):
            image = self.gates[2] * out.float() + self.linear_decoder(z.float()).view_as(out)
            return torch.logit(image.clamp(CLIP, 1 - CLIP))


def reconstruct_all(model: VAEBase, x: torch.Tensor, batch_size: int) -> np.ndarray:
    """Posterior-mean reconstructions of images ``x`` (N, 1, 48, 48) on the model's device,
    in batches: float32 numpy (N, 48, 48). Runs under the caller's autocast, if any."""
    out = [
        model.reconstruct(x[i : i + batch_size]).float().cpu() for i in range(0, len(x), batch_size)
    ]
    return torch.cat(out).squeeze(1).numpy()


# The largest log-variance an encoder can give a code: a standard deviation of e^5, about 150
# times the prior's. Without a bound, one spike in training once sent a grid VAE's log-variance
# past 160 (standard deviation 1e35): the decoder's activations overflowed and every later step
# was NaN.
LOGVAR_MAX = 10.0


def bounded_logvar(raw: torch.Tensor) -> torch.Tensor:
    """The encoder's log-variance, softly kept below LOGVAR_MAX: LOGVAR_MAX - softplus(LOGVAR_MAX
    - raw), in float32. The same as ``raw`` to within 1e-4 below 0.8 (where trained encoders
    put it); a little past the bound the gradient is still there, so that the KL term can pull
    a large one back (it vanishes in float32 only some 90 above it)."""
    raw = raw.float()
    return LOGVAR_MAX - F.softplus(LOGVAR_MAX - raw)


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


def build_vae(**overrides) -> VAEBase:
    """A VAE from its config's fields (lists accepted for the tuples): with ``arch="res"``
    chapter 3's ResVAE (ResVAEConfig), else a ConvVAE (VAEConfig)."""
    for key in ("channels", "hidden"):
        if key in overrides:
            overrides[key] = tuple(overrides[key])
    if overrides.get("arch", "conv") == "res":
        return ResVAE(ResVAEConfig(**overrides))
    overrides.pop("arch", None)
    return ConvVAE(VAEConfig(**overrides))


def load_vae(path, device="cpu") -> VAEBase:
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
