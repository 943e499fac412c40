"""Corrupting faces and restoring them: the classical baselines and the beta-VAE.

All image functions take and return float images in [0, 1] of shape (N, 48, 48) (numpy,
float32 out), so that their outputs can go straight into ``facevae.metrics.image_metrics``.

Families:

* Corruptions (``add_noise``, ``erase``): the damage the restorers must undo. Both take a
  seeded ``numpy.random.Generator`` from the caller, so a corrupted test set is reproducible.
* Classical denoisers (``DENOISERS``): library filters that know nothing about faces. They
  are the baselines the VAE must beat; ``mean_filter`` is the original study's baseline, the
  others are standard stronger ones (median, Gaussian, total variation, non-local means,
  wavelet shrinkage). Every one is called as ``DENOISERS[name](images, **options)``.
* Inpainting (``inpaint_biharmonic``, ``vae_inpaint``): fill an erased block from the known
  pixels, classically by a smooth (biharmonic) continuation or with the VAE's prior.
* VAE restoration (``vae_restore``): encode, decode the posterior mean; whatever the
  decoder cannot express (noise, an erased block) is replaced by what faces usually look like.
* The chapter's protocol: the damage, drawn once from one seed (``corrupt``, stored by
  ``damage_arrays`` and read back by ``split_damage``), then ``run_protocol``: which methods,
  how they are scored and which one is best.
* Chapter 3's latent search (``latent_search``) and its protocol (``search_protocol``): the
  rate chosen per damage on validation faces, then one search of the test faces.
"""

from __future__ import annotations

import logging
import warnings
from functools import partial

import numpy as np
import torch
from scipy import ndimage
from skimage.filters import gaussian as _skimage_gaussian
from skimage.restoration import (
    denoise_nl_means,
    denoise_tv_chambolle,
    denoise_wavelet,
    estimate_sigma,
)
from skimage.restoration import inpaint_biharmonic as _skimage_inpaint_biharmonic

from facevae.better import best
from facevae.metrics import image_metrics as per_image_metrics
from facevae.metrics import mean_image_metrics, mean_scores
from facevae.names import ERASE, damage_keys, example_key, method_key, noise_key, parse_method_key
from facevae.stats import paired
from facevae.vae import evaluating, reconstruct_all

log = logging.getLogger(__name__)


def _stack(images) -> np.ndarray:
    """A float32 (N, H, W) array; float32 is what the data pipeline and the VAE use."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3:
        raise ValueError(f"expected images of shape (N, H, W), got {images.shape}")
    return images


def _finish(restored) -> np.ndarray:
    """Clip to the valid grey range and return float32, the common output of every restorer."""
    return np.clip(np.asarray(restored), 0.0, 1.0).astype(np.float32, copy=False)


def to_grey(images) -> np.ndarray:
    """Float images in [0, 1] rounded to 8-bit grey levels (uint8), as faces are stored."""
    return np.round(np.asarray(images) * 255).astype(np.uint8)


def from_grey(images) -> np.ndarray:
    """8-bit grey levels as float32 in [0, 1], the input of every restorer."""
    return np.asarray(images).astype(np.float32) / 255


def _per_image(function, images: np.ndarray) -> np.ndarray:
    # The skimage restorers treat a 3-D array as a volume (or as channels to be denoised
    # jointly), so each face is passed on its own: no information flows between faces.
    return np.stack([function(image) for image in images]) if len(images) else images.copy()


# --- corruptions ---------------------------------------------------------------------------


def add_noise(images, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Additive Gaussian noise of standard deviation ``sigma``, clipped back to [0, 1]."""
    images = _stack(images)
    noise = rng.normal(0.0, sigma, size=images.shape)
    return _finish(images + noise)


def erase(images, size, position="random", rng: np.random.Generator | None = None, fill=0.0):
    """Set a ``size`` = (height, width) rectangle to ``fill`` in every image.

    ``position`` is "random" (top-left corner uniform per image, over all places where the
    rectangle fits; needs ``rng``) or a (row, col) top-left corner shared by all images.
    Returns (erased, mask) with mask bool (N, H, W), True on the erased pixels.
    """
    images = _stack(images)
    n, rows, cols = images.shape
    height, width = (int(s) for s in size)
    if not (0 < height <= rows and 0 < width <= cols):
        raise ValueError(f"rectangle {size} does not fit in {rows}x{cols} images")
    if isinstance(position, str):
        if position != "random":
            raise ValueError(f"position must be 'random' or (row, col), got {position!r}")
        if rng is None:
            raise ValueError("a random position needs rng")
        # integers' upper bound is exclusive: rows - height is the last corner that fits.
        top = rng.integers(0, rows - height + 1, size=n)
        left = rng.integers(0, cols - width + 1, size=n)
    else:
        row, col = (int(p) for p in position)
        if not (0 <= row <= rows - height and 0 <= col <= cols - width):
            raise ValueError(f"rectangle {size} at {position} leaves the {rows}x{cols} image")
        top, left = np.full(n, row), np.full(n, col)
    # Broadcast per-image corners against the pixel grid: one vectorised mask for all images.
    r = np.arange(rows)[None, :, None]
    c = np.arange(cols)[None, None, :]
    top, left = top[:, None, None], left[:, None, None]
    mask = (r >= top) & (r < top + height) & (c >= left) & (c < left + width)
    erased = np.where(mask, np.float32(fill), images)
    return erased, mask


# --- classical denoisers -------------------------------------------------------------------
# The ndimage / skimage.filters kernels run on the whole stack, with size 1 (or sigma 0)
# along axis 0 so the kernel never reaches into the neighbouring faces.


def _noise_sigma(image: np.ndarray) -> float:
    """skimage's robust noise estimate (median absolute finest-band wavelet coefficient),
    or 0 for an image with no detail at all (e.g. a blank face): there skimage returns NaN
    (median of an empty set) or round-off such as 1e-33, and the wavelet and NL-means
    filters built on it return NaN. Anything below 1e-6 (the 8-bit grey step is 0.004) is
    taken as no noise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "mean of empty slice" on such images
        sigma = float(estimate_sigma(image))
    return sigma if np.isfinite(sigma) and sigma > 1e-6 else 0.0


def mean_filter(images, size: int = 3) -> np.ndarray:
    """Moving average over a size x size window (the original study's baseline)."""
    return _finish(ndimage.uniform_filter(_stack(images), size=(1, size, size)))


def median(images, size: int = 3) -> np.ndarray:
    """Median over a size x size window: robust to outliers, keeps edges better."""
    return _finish(ndimage.median_filter(_stack(images), size=(1, size, size)))


def gaussian(images, sigma: float = 1.0) -> np.ndarray:
    """Gaussian blur of standard deviation ``sigma`` pixels."""
    return _finish(_skimage_gaussian(_stack(images), sigma=(0, sigma, sigma)))


def tv(images, weight: float = 0.1) -> np.ndarray:
    """Total-variation denoising (Chambolle): piecewise-smooth output, edges kept."""
    return _finish(_per_image(lambda im: denoise_tv_chambolle(im, weight=weight), _stack(images)))


def nl_means(images, patch_size: int = 5, patch_distance: int = 6, h_factor: float = 0.8):
    """Non-local means; the filter strength follows each image's estimated noise level."""

    def one(image):
        # The noise level differs per face (clipping, texture), so it is estimated per image.
        sigma_est = _noise_sigma(image)
        if sigma_est == 0:
            return image  # h = 0 would divide by zero; there is no noise to remove anyway
        return denoise_nl_means(
            image,
            patch_size=patch_size,
            patch_distance=patch_distance,
            h=h_factor * sigma_est,
            sigma=sigma_est,
            fast_mode=True,
        )

    return _finish(_per_image(one, _stack(images)))


def wavelet(images, method: str = "BayesShrink", mode: str = "soft") -> np.ndarray:
    """Wavelet shrinkage with the noise level estimated from the finest wavelet band."""

    def one(image):
        if _noise_sigma(image) == 0:
            return image  # nothing to shrink; skimage would return NaN here
        return denoise_wavelet(image, method=method, mode=mode, rescale_sigma=True)

    return _finish(_per_image(one, _stack(images)))


DENOISERS = {
    "mean_filter": mean_filter,
    "median": median,
    "gaussian": gaussian,
    "tv": tv,
    "nl_means": nl_means,
    "wavelet": wavelet,
}


# --- inpainting ----------------------------------------------------------------------------


def inpaint_biharmonic(erased, mask) -> np.ndarray:
    """Fill the masked pixels by biharmonic (smoothest) continuation of the known ones."""
    erased, mask = _stack(erased), np.asarray(mask, dtype=bool)
    filled = [_skimage_inpaint_biharmonic(image, m) for image, m in zip(erased, mask)]
    filled = np.stack(filled) if filled else erased.copy()
    # Only the masked pixels come from the inpainter: the known ones are returned as given.
    return np.where(mask, _finish(filled), erased)


# --- the VAE -------------------------------------------------------------------------------


def vae_restore(model, images, batch_size: int = 512) -> np.ndarray:
    """The VAE's reconstruction (the posterior mean, decoded) of each image."""
    images = _stack(images)
    if not len(images):
        return images.copy()
    with evaluating(model) as device:
        return _finish(
            reconstruct_all(model, torch.from_numpy(images).unsqueeze(1).to(device), batch_size)
        )


def vae_inpaint(model, erased, mask, iterations: int = 1, batch_size: int = 512) -> np.ndarray:
    """The erased images with only the masked pixels taken from the VAE reconstruction.

    One pass encodes the damaged face, hole included, so the hole pulls the code towards a
    darker face. Further passes feed the filled-in face back in (known pixels always reset to
    their values), letting the code settle on a face consistent with the surviving pixels.
    """
    erased, mask = _stack(erased), np.asarray(mask, dtype=bool)
    filled = erased
    for _ in range(iterations):
        filled = np.where(mask, vae_restore(model, filled, batch_size), erased)
    return filled


# --- the protocol of the restoration chapter -----------------------------------------------

MASK = "mask"  # the erased pixels' key in the file of damaged faces (beside damage_keys)


def best_method(scores: dict[str, dict[str, float]], metric: str = "psnr") -> str:
    """The restorer (never the corrupted input itself) with the best mean ``metric``."""
    return best({m: s for m, s in scores.items() if m != "corrupted"}, metric)


def corrupt(clean, seed: int, noise_sigmas, erase_size, erase_position="random"):
    """The damaged test faces of the protocol: ({noise_s<sigma>: noisy, ..., "erase":
    erased}, mask). One generator seeded with ``seed`` draws the noise of each level in
    order, then the erased positions, so the same seed always gives the same damage."""
    clean = _stack(clean)
    rng = np.random.default_rng(seed)
    damaged = {noise_key(sigma): add_noise(clean, sigma, rng) for sigma in noise_sigmas}
    damaged[ERASE], mask = erase(clean, erase_size, erase_position, rng)
    return damaged, mask


def damage_arrays(damaged: dict, mask) -> dict[str, np.ndarray]:
    """What the file of damaged faces holds: every damaged set under its damage key, and the
    erased pixels under ``MASK`` (the inverse of split_damage)."""
    if MASK in damaged:
        raise ValueError(f"{MASK!r} is the mask's key, not a damage's")
    return dict(damaged) | {MASK: np.asarray(mask, dtype=bool)}


def split_damage(arrays: dict, noise_sigmas) -> tuple[dict, np.ndarray]:
    """(damaged, mask) from the arrays of damage_arrays, the damages in the order the
    protocol draws them (damage_keys). A file made with other noise levels is refused."""
    keys = damage_keys(noise_sigmas)
    if set(arrays) != set(keys) | {MASK}:
        raise ValueError(f"damaged faces hold {sorted(arrays)}, expected {keys} and {MASK!r}")
    return {key: _stack(arrays[key]) for key in keys}, np.asarray(arrays[MASK], dtype=bool)


def _region(scores: dict) -> dict:
    """Scores of the erased block alone, each named region_<metric>."""
    return {f"region_{key}": value for key, value in scores.items()}


def latent_search(
    model,
    damaged,
    variance: float,
    mask=None,
    steps: int = 100,
    lr: float = 0.01,
    start=None,
    batch_size: int = 512,
):
    """Restore faces by searching the latent space instead of one encode-decode pass.

    For each damaged face y, start at the mean of q(z|x0), x0 being ``start`` (by default y
    itself; for inpainting, the encode-decode pass's filled-in face is a far better start than
    a face with a hole), or at the prior's mean code with ``start="prior"``, and take
    ``steps`` Adam steps on z, the rate annealed from ``lr`` to zero along a cosine, to
    minimise the negative log posterior

        0.5 * sum over known pixels (sigmoid(decode(z)) - y)^2 / variance - log p(z),

    where ``variance`` is what separates a decoded face from y per pixel: the decoder's own
    variance, plus the noise variance when denoising. All faces of a batch move at once;
    Adam's per-coordinate steps keep them independent. Each face keeps the code with the lowest
    objective seen, so no face ends worse than it started whatever the rate. ``mask`` (bool
    (N, H, W), True where erased) leaves the erased pixels out of the sum, and the result keeps
    the known pixels exactly, taking only the erased ones from the decoded face. The model is
    not changed.

    Returns (restored float32 (N, H, W), objective (steps + 1,): the mean over faces of each
    face's lowest objective so far, before the first step and after each one).
    """
    damaged = _stack(damaged)
    from_prior = isinstance(start, str) and start == "prior"
    start = damaged if start is None or from_prior else _stack(start)
    known = np.ones_like(damaged) if mask is None else ~np.asarray(mask, dtype=bool)
    restored, trace = [], np.zeros(steps + 1)
    flags = [p.requires_grad for p in model.parameters()]
    model.requires_grad_(False)
    try:
        with evaluating(model) as device, torch.enable_grad():
            for first in range(0, len(damaged), batch_size):
                batch = slice(first, first + batch_size)
                y = torch.from_numpy(damaged[batch]).unsqueeze(1).to(device)
                keep = torch.from_numpy(known[batch].astype(np.float32)).unsqueeze(1).to(device)
                with torch.no_grad():
                    if from_prior:
                        z = model.prior.mean().to(device).expand(len(y), -1).clone()
                    else:
                        x0 = torch.from_numpy(start[batch]).unsqueeze(1).to(device)
                        z = model.encode(x0)[0].float()
                z.requires_grad_(True)
                optimizer = torch.optim.Adam([z], lr=lr)
                schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, max(steps, 1))
                lowest = torch.full((len(y),), torch.inf, device=device)
                best = torch.zeros_like(y)
                for step in range(steps + 1):
                    decoded = torch.sigmoid(model.decode(z).float())
                    misfit = ((decoded - y).pow(2) * keep).flatten(1).sum(dim=1)
                    value = 0.5 * misfit / variance - model.prior.log_prob(z)
                    with torch.no_grad():
                        better = value < lowest
                        lowest = torch.where(better, value, lowest)
                        best[better] = decoded[better]
                    trace[step] += lowest.sum().item()
                    if step == steps:
                        break
                    optimizer.zero_grad(set_to_none=True)
                    value.sum().backward()
                    optimizer.step()
                    schedule.step()
                out = best.squeeze(1).cpu().numpy()
                restored.append(
                    out if mask is None else np.where(known[batch] > 0, damaged[batch], out)
                )
    finally:
        for parameter, flag in zip(model.parameters(), flags):
            parameter.requires_grad_(flag)
    images = np.concatenate(restored) if restored else damaged.copy()
    return _finish(images), trace / max(len(damaged), 1)


def restore_all(
    model,
    damaged: dict,
    mask,
    noise_sigmas,
    denoisers,
    denoiser_options=None,
    inpaint_iterations: int = 1,
) -> dict[str, dict[str, np.ndarray]]:
    """Every restoration of the protocol's damage: {damage: {method: faces}}, the damaged
    input itself as method ``corrupted``. Noise is undone by the VAE and each classical
    denoiser, an erased block by the VAE and by biharmonic inpainting."""
    runs = {}
    options = denoiser_options or {}
    for key in [damage for damage in damage_keys(noise_sigmas) if damage != ERASE]:
        noisy = damaged[key]
        outputs = {"corrupted": noisy, "vae": vae_restore(model, noisy)}
        outputs |= {name: DENOISERS[name](noisy, **options.get(name, {})) for name in denoisers}
        runs[key] = outputs
    erased = damaged[ERASE]
    runs[ERASE] = {
        "corrupted": erased,
        "vae": vae_inpaint(model, erased, mask, inpaint_iterations),
        "biharmonic": inpaint_biharmonic(erased, mask),
    }
    return runs


def headline(damage: str) -> str:
    """The score that decides a damage: PSNR, on the erased block alone for inpainting (outside
    it every method returns the input)."""
    return "region_psnr" if damage == ERASE else "psnr"


def run_protocol(
    model,
    clean: np.ndarray,
    damaged: dict,
    mask,
    *,
    noise_sigmas,
    denoisers,
    denoiser_options=None,
    inpaint_iterations: int = 1,
    n_examples: int = 6,
    image_metrics=None,
    bootstrap=None,
    validation=None,
):
    """Restore damaged ``clean`` faces (N, 48, 48) in [0, 1] with the VAE and the classical
    methods, and score every restoration against the clean faces.

    ``damaged`` and ``mask`` are the protocol's damage (see ``corrupt``): one set of noisy
    faces per level of ``noise_sigmas`` and the erased faces with their mask. Every output
    is scored by mean PSNR, SSIM and MSE over the faces (``image_metrics``: SSIM settings of
    facevae.metrics.image_metrics), with bootstrap intervals when ``bootstrap`` =
    {resamples, seed[, groups]} is given. Inpainting is also scored on the erased block alone
    (``region_psnr``, ...): outside it every method returns the input.

    ``validation`` = (clean, damaged, mask) of validation faces damaged the same way: every
    method is run on them too, its score kept as ``val_psnr`` (``val_region_psnr``), and the
    best method of each damage is chosen on those, never on the test faces. Without it the
    choice falls back on the test scores (for tests of this function only).

    Returns (metrics, examples, restored). ``metrics[damage][method]`` holds the scores, with
    damage ``noise_s<sigma>`` per level and ``erase``; ``metrics[damage]["vae"]["versus"]
    [method]`` the paired difference of the VAE's per-face PSNR (region PSNR) minus that
    method's on the same faces (facevae.stats.paired); ``metrics["noise"]`` repeats the first
    level (the one the text discusses) and ``metrics["best"][damage]`` names the restorer
    with the best validation PSNR. ``examples`` keeps the first ``n_examples`` faces of every
    output (keys from example_key), plus ``clean``. ``restored`` holds every restored face
    (float32, all faces) of the first noise level and of the erased block, keyed
    names.method_key(restorer, damage), for the jobs that reuse them.
    """
    settings = image_metrics or {}
    clean = _stack(clean)
    damaged, mask = split_damage(damage_arrays(damaged, mask), noise_sigmas)
    restore = partial(
        restore_all,
        model,
        noise_sigmas=noise_sigmas,
        denoisers=denoisers,
        denoiser_options=denoiser_options,
        inpaint_iterations=inpaint_iterations,
    )
    runs = restore(damaged, mask)
    metrics, per_face = {}, {}
    for damage, outputs in runs.items():
        metrics[damage], per_face[damage] = {}, {}
        for method, out in outputs.items():
            per = per_image_metrics(clean, out, **settings)
            if damage == ERASE:
                per |= {
                    f"region_{k}": v
                    for k, v in per_image_metrics(clean, out, mask, **settings).items()
                }
            per_face[damage][method] = per[headline(damage)]
            metrics[damage][method] = mean_scores(per, bootstrap)
    if validation is not None:
        val_clean, val_damaged, val_mask = validation
        val_clean = _stack(val_clean)
        val_damaged, val_mask = split_damage(damage_arrays(val_damaged, val_mask), noise_sigmas)
        for damage, outputs in restore(val_damaged, val_mask).items():
            region = val_mask if damage == ERASE else None
            for method, out in outputs.items():
                scores = per_image_metrics(val_clean, out, region, **settings)["psnr"]
                metrics[damage][method][f"val_{headline(damage)}"] = float(scores.mean())
    for damage, scores in per_face.items():
        metrics[damage]["vae"]["versus"] = {
            method: paired(scores["vae"], theirs, **(bootstrap or {}))
            for method, theirs in scores.items()
            if method != "vae"
        }
    examples = {"clean": clean[:n_examples]}
    examples |= {
        example_key(damage, method): out[:n_examples]
        for damage, outputs in runs.items()
        for method, out in outputs.items()
    }
    noise = noise_key(noise_sigmas[0])
    restored = {
        method_key(method, damage): out
        for damage in (noise, ERASE)
        for method, out in runs[damage].items()
        if method != "corrupted"
    }
    metrics["noise"] = metrics[noise]
    chosen_on = "val_" if validation is not None else ""
    metrics["best"] = {
        damage: best_method(metrics[damage], chosen_on + headline(damage)) for damage in runs
    }
    metrics["best"]["noise"] = metrics["best"][noise]  # as metrics["noise"]
    return metrics, examples, restored


# --- chapter 3: the latent search's protocol ------------------------------------------------


def by_damage(restored: dict, damaged: dict | None = None) -> dict[str, dict[str, np.ndarray]]:
    """{damage: {restorer: faces}} of restorations keyed by names.method_key (restored.npz),
    with the ``damaged`` faces themselves ({damage: faces}) as restorer ``corrupted``: the
    baseline every restoration has to beat."""
    out = {}
    for key, faces in restored.items():
        method, damage = parse_method_key(key)
        out.setdefault(damage, {})[method] = faces
    for damage, faces in (damaged or {}).items():
        out.setdefault(damage, {})["corrupted"] = faces
    return out


def _per_face_psnr(clean, restored, region=None, settings=None) -> np.ndarray:
    return per_image_metrics(clean, restored, region, **(settings or {}))["psnr"]


FROM_PRIOR = f"{ERASE}_from_prior"  # the restored faces of the search from the prior's mean


def choose_rate(validation: dict) -> float:
    """The rate with the highest validation score ({rate: score}; the first of equals), NaN
    scores (no validation faces) left out; the first rate when no score is a number."""
    rates = list(validation)
    scored = [rate for rate in rates if not np.isnan(validation[rate])]
    return max(scored, key=validation.get) if scored else rates[0]


def search_protocol(
    model,
    clean: np.ndarray,
    damaged: dict,
    mask,
    validation: np.ndarray,
    *,
    variance: float,
    seed: int,
    noise_sigmas,
    erase_size,
    erase_position="random",
    rates,
    steps: int,
    inpaint_iterations: int = 1,
    start=None,
    versus=None,
    image_metrics=None,
    bootstrap=None,
    search=latent_search,
):
    """Restore the protocol's damaged test faces by latent search, one rate per damage
    chosen on validation faces, and score them as run_protocol scores its restorers.

    ``clean``, ``damaged`` and ``mask`` are the clean test faces and their damage (see
    ``corrupt``); ``validation`` are clean validation faces, damaged here the same way from
    ``seed + 1``. What separates a decoded face from the damaged one per pixel is the
    decoder's ``variance``, plus the noise variance when denoising. For each damage, every
    rate of ``rates`` searches the validation faces (``steps`` steps; inpainting starts from
    the encode-decode passes, ``inpaint_iterations`` of them) and the rate with the best
    validation PSNR, of the erased block when inpainting, then searches the test faces once.
    Inpainting of the test faces starts from ``start`` (the test faces' encode-decode
    inpainting, e.g. chapter 2's) or, without it, from passes run here. ``versus`` =
    {damage: {restorer: faces}} holds other restorations of the same test faces (chapter 2's,
    float in [0, 1]) to compare with face by face. ``search`` is the search function
    (latent_search's signature). Runs under the caller's autocast, if any.

    Returns (metrics, restored): metrics holds the variance, steps and rates, then per damage
    the test scores (``region_*`` for the erased block), the rate, the validation PSNR of each
    rate, the objective's trace and, per restorer of ``versus``, ``versus[restorer]``: the
    paired difference of the search's per-face PSNR (of the erased block when inpainting)
    minus the restorer's (facevae.stats.paired); inpainting's ``from_prior`` holds the same
    for the search started from the prior's mean code instead. Without ``start`` (a model
    other than chapter 2's), ``passes`` holds the same for the model's own encode-decode
    restorations (chapter 2's protocol: one pass when denoising, ``inpaint_iterations``
    when inpainting), so that it is judged as a restorer without rerunning chapter 2's.
    restored holds the restored test faces per damage, and those of that search under
    FROM_PRIOR.
    """
    clean, validation = _stack(clean), _stack(validation)
    val_damaged, val_mask = corrupt(validation, seed + 1, noise_sigmas, erase_size, erase_position)

    def score(reference, restored, region=None, intervals=bootstrap):
        return mean_image_metrics(
            reference, restored, region, bootstrap=intervals, **(image_metrics or {})
        )

    metrics = {"decoder_variance": variance, "steps": steps, "rates": rates}
    restored = {}

    def judge(key: str, faces: np.ndarray) -> dict:
        """Test scores of restored faces (of the erased block too when inpainting), and
        their paired difference to each restorer of ``versus``."""
        region = mask if key == ERASE else None
        found = score(clean, faces)
        if region is not None:
            found |= _region(score(clean, faces, region))
        if versus and key in versus:
            psnr = partial(_per_face_psnr, clean, region=region, settings=image_metrics)
            ours = psnr(faces)
            found["versus"] = {
                method: paired(ours, psnr(theirs), **(bootstrap or {}))
                for method, theirs in versus[key].items()
            }
        return found

    def one_search(key: str, sigma: float, val_start, test_start, label: str) -> dict:
        """Choose the rate on the validation faces, search the test faces with it, score."""
        run = partial(search, model, variance=variance + sigma**2, steps=steps)
        val_region, region = (val_mask, mask) if key == ERASE else (None, None)
        scores = {}
        for lr in rates:
            faces, _ = run(val_damaged[key], mask=val_region, lr=lr, start=val_start)
            scores[lr] = score(validation, faces, val_region, None)["psnr"]
            log.info("%s: rate %g, validation psnr %.3f", label, lr, scores[lr])
        lr = choose_rate(scores)
        restored[label], trace = run(damaged[key], mask=region, lr=lr, start=test_start)
        found = judge(key, restored[label]) | {
            "rate": lr,
            "validation_psnr": [scores[rate] for rate in rates],
            "objective": trace.tolist(),
        }
        log.info(
            "%s: rate %g, test psnr %.2f, objective %.1f -> %.1f",
            label,
            lr,
            found["psnr"],
            trace[0],
            trace[-1],
        )
        return found

    for key, sigma in zip(damage_keys(noise_sigmas), [*noise_sigmas, 0.0]):
        if key != ERASE:
            metrics[key] = one_search(key, sigma, None, None, key)
            if start is None:  # not chapter 2's model: its own passes, scored alike
                metrics[key]["passes"] = judge(key, vae_restore(model, damaged[key]))
            continue
        # Inpainting starts from the encode-decode passes' filled-in faces (the test faces'
        # own, or ``start``), and once more from the prior's mean code: how much of the
        # result the encoder's code brings.
        val_start = vae_inpaint(model, val_damaged[key], val_mask, inpaint_iterations)
        test_start = start
        if test_start is None:
            test_start = vae_inpaint(model, damaged[key], mask, inpaint_iterations)
        metrics[key] = one_search(key, sigma, val_start, test_start, key)
        metrics[key]["from_prior"] = one_search(key, sigma, "prior", "prior", FROM_PRIOR)
        if start is None:
            metrics[key]["passes"] = judge(key, test_start)
    return metrics, restored
