"""Yardsticks for the VAE's reconstructions: what simpler models fitted on the same training
faces achieve on the same test faces.

* the mean training face, returned for every input (what a VAE whose code carries nothing
  would give);
* PCA with k components: the best linear k-dimensional code in the squared-error sense, so a
  VAE with a latent code of size k should at least match PCA-k to justify its non-linearity.
"""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA

from facevae.stats import describe, paired


def mean_face(train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """The mean training face for every test face. Images (N, H, W) in [0, 1]."""
    return np.broadcast_to(train.mean(axis=0), test.shape).astype(np.float32)


def principal_components(train: np.ndarray, k: int, seed: int = 0) -> dict[str, np.ndarray]:
    """The first ``k`` principal components of images (N, H, W): {"mean" (pixels,),
    "components" (k, pixels) orthonormal rows, "variances" (k,) the images' variance along
    each}, by scikit-learn's randomized solver (seeded)."""
    pca = PCA(n_components=k, svd_solver="randomized", random_state=seed)
    pca.fit(train.reshape(len(train), -1))
    return {
        "mean": pca.mean_,
        "components": pca.components_,
        "variances": pca.explained_variance_,
    }


def pca_reconstructions(train: np.ndarray, test: np.ndarray, components, seed: int = 0):
    """{k: test faces projected on the first k principal components of the training faces and
    mapped back}, clipped to [0, 1]. ``test`` may also be a dict of image stacks by name (split
    parts), giving {name: {k: ...}}. One fit with the largest k serves every k and every
    stack (the components of a smaller PCA are the leading components of a larger one)."""
    pca = principal_components(train, max(components), seed)
    stacks = test if isinstance(test, dict) else {None: test}
    out = {}
    for name, images in stacks.items():
        centred = images.reshape(len(images), -1) - pca["mean"]
        out[name] = {}
        for k in components:
            basis = pca["components"][:k]  # (k, pixels), orthonormal rows
            recon = centred @ basis.T @ basis + pca["mean"]
            out[name][k] = np.clip(recon, 0, 1).reshape(images.shape).astype(np.float32)
    return out if isinstance(test, dict) else out[None]


def yardsticks(train: np.ndarray, parts: dict, components, seed: int = 0) -> dict:
    """Every yardstick's reconstructions of each image stack of ``parts`` (by split part):
    {"mean_face": {part: faces}, "pca<k>": {part: faces} for each k of ``components``}."""
    pca = pca_reconstructions(train, parts, components, seed)
    found = {"mean_face": {part: mean_face(train, images) for part, images in parts.items()}}
    return found | {f"pca{k}": {part: pca[part][k] for part in parts} for k in components}


def versus_yardsticks(ours, yardsticks: dict, **bootstrap) -> dict:
    """A model's per-face scores against each yardstick's on the same faces: {name: the
    paired difference (ours minus the yardstick's, facevae.stats.paired) and "interval", the
    kind of its interval}. ``ours`` is (faces,) or (seeds, faces); a yardstick has no seeds
    (faces,), so the seeds drawn are the model's. ``bootstrap``: resamples, seed, groups."""
    ours = np.atleast_2d(np.asarray(ours, dtype=float))
    kind = describe(len(ours))
    return {
        name: paired(ours, np.broadcast_to(theirs, ours.shape), **bootstrap) | {"interval": kind}
        for name, theirs in yardsticks.items()
    }
