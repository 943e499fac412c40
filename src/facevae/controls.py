"""Simpler losses of detail at the VAE's image quality: the controls of the attribute check.

A VAE reconstruction differs from the clean face in two ways: it loses detail, and it may
replace the face with another plausible face. To tell the two apart, the attribute check
(facevae.attributes) also labels two restorations that only lose detail, each tuned to the
same mean PSNR as the VAE's reconstructions:

* ``blur``: chapter 2's Gaussian smoothing (facevae.restore.gaussian, that is
  scikit-image's ``skimage.filters.gaussian``, applied to each face alone) of the clean face;
  its standard deviation in pixels is found by bisection;
* ``pca``: the projection of the clean face onto the first k principal components of the
  training faces (scikit-learn's PCA), mapped back; k is found by a binary search.

Both settings are chosen on validation faces, against the VAE's reconstructions of those
faces, and only then applied to the test faces, whose PSNR is reported, not tuned.
PSNR is measured as in facevae.metrics.image_metrics: per face, 10 log10(1 / MSE) of the
output clipped to [0, 1], then averaged over faces.
"""

from __future__ import annotations

import logging
import math

import numpy as np
from sklearn.decomposition import PCA

from facevae.restore import gaussian

log = logging.getLogger(__name__)

BLUR, PCA_NAME = "blur", "pca"  # the controls' names in the results
CONTROLS = (BLUR, PCA_NAME)


def face_psnr(reference, restored) -> np.ndarray:
    """Per-face PSNR in dB of float faces in [0, 1], (N, H, W); the PSNR of
    facevae.metrics.image_metrics without its SSIM (which a search cannot afford)."""
    reference = np.asarray(reference, dtype=np.float64)
    restored = np.clip(np.asarray(restored, dtype=np.float64), 0, 1)
    mse = ((reference - restored) ** 2).mean(axis=(1, 2))
    with np.errstate(divide="ignore"):  # an exact copy scores inf, as in image_metrics
        return 10 * np.log10(1 / mse)


def mean_psnr(reference, restored) -> float:
    return float(face_psnr(reference, restored).mean())


# --- blur --------------------------------------------------------------------------------


def blur(faces, sigma: float) -> np.ndarray:
    """Each face smoothed by a Gaussian of standard deviation ``sigma`` pixels; sigma 0
    returns the faces unchanged."""
    return gaussian(faces, sigma)


def match_blur(
    faces,
    target: float,
    tolerance: float = 0.005,
    max_sigma: float = 64.0,
    max_steps: int = 60,
) -> dict:
    """The blur whose mean PSNR on ``faces`` (against themselves unblurred) is ``target`` dB.

    Mean PSNR falls as sigma grows, from infinity at sigma 0. The search doubles sigma from 1
    until the PSNR falls below the target (at most ``max_sigma``), then bisects the bracket
    until the PSNR is within ``tolerance`` dB of the target. A target below what
    ``max_sigma`` reaches gives ``max_sigma`` (logged): the result says what it achieved.
    Returns {"sigma", "psnr"} (the mean PSNR at that sigma)."""
    psnr = lambda sigma: mean_psnr(faces, blur(faces, sigma))  # noqa: E731
    low, high = 0.0, 1.0
    at_high = psnr(high)
    while at_high > target and high < max_sigma:
        low, high = high, min(2 * high, max_sigma)
        at_high = psnr(high)
    if at_high > target:
        log.warning("blur: sigma %g still scores %.3f dB > %.3f dB", high, at_high, target)
        return {"sigma": high, "psnr": at_high}
    sigma, found = high, at_high
    for _ in range(max_steps):
        if abs(found - target) <= tolerance:
            break
        sigma = (low + high) / 2
        found = psnr(sigma)
        if found > target:
            low = sigma
        else:
            high = sigma
    return {"sigma": float(sigma), "psnr": float(found)}


# --- PCA ---------------------------------------------------------------------------------


class FacePCA:
    """Principal components of the training faces (N, H, W), as many as the faces allow
    (at most one per pixel); ``reconstruct(faces, k)`` keeps the first k. One fit serves
    every k: the leading components of a larger PCA are those of a smaller one."""

    def __init__(self, train, seed: int = 0) -> None:
        train = np.asarray(train, dtype=np.float64)
        n, self.side = len(train), train.shape[1:]
        flat = train.reshape(n, -1)
        # Both solvers are exact: the eigenvectors of the pixel covariance cost least when faces
        # outnumber pixels, an SVD of the faces themselves when they do not.
        solver = "covariance_eigh" if n >= flat.shape[1] else "full"
        self.pca = PCA(n_components=min(flat.shape), svd_solver=solver, random_state=seed)
        self.pca.fit(flat)
        self.components = self.pca.n_components_

    def scores(self, faces) -> np.ndarray:
        """Coordinates of ``faces`` on every component, (N, components)."""
        faces = np.asarray(faces, dtype=np.float64)
        return (faces.reshape(len(faces), -1) - self.pca.mean_) @ self.pca.components_.T

    def from_scores(self, scores: np.ndarray, k: int) -> np.ndarray:
        """Faces rebuilt from their first ``k`` coordinates, clipped to [0, 1], float32."""
        flat = scores[:, :k] @ self.pca.components_[:k] + self.pca.mean_
        return np.clip(flat, 0, 1).reshape(len(scores), *self.side).astype(np.float32)

    def reconstruct(self, faces, k: int) -> np.ndarray:
        return self.from_scores(self.scores(faces), k)


def match_pca(pca: FacePCA, faces, target: float) -> dict:
    """The number of components k (1 to all) whose mean PSNR on ``faces`` is nearest to
    ``target`` dB. Mean PSNR grows with k (each face's projection error can only fall as
    components are added), so a binary search finds the smallest k at or above the target,
    and the nearer of it and k - 1 is kept. Returns {"components", "psnr"}."""
    scores = pca.scores(faces)
    cache: dict[int, float] = {}

    def psnr(k: int) -> float:
        if k not in cache:
            cache[k] = mean_psnr(faces, pca.from_scores(scores, k))
        return cache[k]

    low, high = 1, pca.components
    if psnr(high) < target:
        log.warning("pca: all %d components score %.3f dB < %.3f dB", high, psnr(high), target)
    while low < high:  # the smallest k in [low, high] with psnr(k) >= target, else high
        middle = (low + high) // 2
        if psnr(middle) >= target:
            high = middle
        else:
            low = middle + 1
    k = low
    if k > 1 and abs(psnr(k - 1) - target) < abs(psnr(k) - target):
        k -= 1
    return {"components": int(k), "psnr": psnr(k)}


# --- the protocol ------------------------------------------------------------------------


def matched_controls(pca: FacePCA, val, val_vae, test) -> tuple[dict, dict]:
    """Tune both controls on the validation faces ``val`` to the mean PSNR of the VAE's
    reconstructions of them (``val_vae``), then apply them to the ``test`` faces.

    Returns (settings, faces): settings {"blur": {"sigma", "val_psnr"}, "pca":
    {"components", "val_psnr"}, "vae": {"val_psnr"}}, and the controls' test faces
    {"blur": ..., "pca": ...}."""
    target = mean_psnr(val, val_vae)
    if not math.isfinite(target):
        raise ValueError(f"the VAE's validation PSNR is {target}: nothing to match")
    blurred = match_blur(val, target)
    projected = match_pca(pca, val, target)
    settings = {
        "vae": {"val_psnr": target},
        BLUR: {"sigma": blurred["sigma"], "val_psnr": blurred["psnr"]},
        PCA_NAME: {"components": projected["components"], "val_psnr": projected["psnr"]},
    }
    faces = {
        BLUR: blur(test, blurred["sigma"]),
        PCA_NAME: pca.reconstruct(test, projected["components"]),
    }
    log.info("matched to %.3f dB on validation: %s", target, settings)
    return settings, faces
