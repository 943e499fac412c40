"""Does restoring a face change who the classifiers think it is? (chapter 3)

The chapter-1 classifiers label every clean test face and every restored version of it; a
face counts as changed by a restoration when the two predicted labels differ. The share of
changed faces is given over all test faces and per true ethnicity, with bootstrap intervals.

Restorations are keyed ``<restorer>.<what it undid>``: ``noise`` (the first noise level of the
protocol, the one the text discusses), ``erase``, or ``reconstruction`` for a VAE's pass over
the clean faces. The damaged faces themselves are the restorer ``corrupted`` and the latent
search is ``search``; a VAE is named by its grid point (z256_b0.01.noise). Keys are built
and parsed by facevae.names.method_key and parse_method_key.
"""

from __future__ import annotations

import logging

import numpy as np

from facevae.cnn_train import predict
from facevae.data import ETHNICITY_KEYS
from facevae.metrics import intervals
from facevae.names import ERASE, method_key
from facevae.restore import from_grey, to_grey, vae_inpaint, vae_restore
from facevae.runtime import image_tensor

log = logging.getLogger(__name__)

NOISE = "noise"  # what a denoiser undid: the protocol's first noise level
RECONSTRUCTION = "reconstruction"  # a VAE's encode-decode pass over the clean faces
DAMAGED = "corrupted"  # the damaged face itself, not restored
SEARCH = "search"  # chapter 3's latent search
INPAINTER = "biharmonic"  # the classical inpainter of chapter 2
VAE = "vae"  # the chosen VAE's restorer name in chapter 2's files


# --- which restorations ---------------------------------------------------------------------


def chapter_two_restorations(damaged: dict, restored: dict, noise: str, denoisers) -> dict:
    """The damaged faces and chapter 2's classical restorations of them: the noisy faces of
    level ``noise`` (a damage key) restored by each of ``denoisers``, and the erased faces
    filled by biharmonic inpainting. ``damaged`` is the protocol's damage (damage key ->
    faces), ``restored`` chapter 2's restorations (names.method_key(restorer, damage) ->
    faces, as facevae.restore.run_protocol returns them)."""
    outputs = {
        method_key(DAMAGED, NOISE): damaged[noise],
        method_key(DAMAGED, ERASE): damaged[ERASE],
    }
    for name in denoisers:
        outputs[method_key(name, NOISE)] = restored[method_key(name, noise)]
    outputs[method_key(INPAINTER, ERASE)] = restored[method_key(INPAINTER, ERASE)]
    return outputs


def vae_restorations(
    name: str,
    model,
    clean,
    damaged: dict,
    mask,
    noise: str,
    inpaint_iterations: int = 1,
    restored: dict | None = None,
) -> dict:
    """VAE ``name``'s reconstruction of the clean faces, its denoising of level ``noise`` and
    its inpainting of the erased faces (``inpaint_iterations`` passes). With ``restored``,
    chapter 2's restorations made by this same model (keys method_key("vae", damage)), the
    denoised and inpainted faces are taken from there instead of being made again. Runs
    under the caller's autocast, if any."""
    outputs = {method_key(name, RECONSTRUCTION): vae_restore(model, clean)}
    if restored is not None:
        outputs[method_key(name, NOISE)] = restored[method_key(VAE, noise)]
        outputs[method_key(name, ERASE)] = restored[method_key(VAE, ERASE)]
    else:
        outputs[method_key(name, NOISE)] = vae_restore(model, damaged[noise])
        outputs[method_key(name, ERASE)] = vae_inpaint(
            model, damaged[ERASE], mask, inpaint_iterations
        )
    return outputs


def search_restorations(found: dict, noise: str) -> dict:
    """The latent search's restorations of level ``noise`` and of the erased faces, from its
    grey-level file (damage key -> uint8 faces), as floats in [0, 1]."""
    return {
        method_key(SEARCH, what): from_grey(found[damage])
        for what, damage in ((NOISE, noise), (ERASE, ERASE))
    }


# --- how often the labels change ------------------------------------------------------------


def predicted_labels(classifiers: dict, images, precision="fp32", batch_size: int = 1024) -> dict:
    """The class each classifier ({task: CNN}) predicts for float ``images`` (N, 48, 48) in
    [0, 1], which are first rounded to grey levels as the classifiers saw them in training:
    {task: int array (N,)}."""
    grey = to_grey(images)
    labels = {}
    for task, cnn in classifiers.items():
        if not len(grey):
            labels[task] = np.zeros(0, dtype=np.int64)
            continue
        x = image_tensor(grey, next(cnn.parameters()).device)
        labels[task] = predict(cnn, x, batch_size, precision).argmax(1).numpy()
    return labels


def ethnicity_groups(ethnicity) -> dict[str, np.ndarray]:
    """The faces (indices) of each true ethnicity, by its key in JSON summaries; a group with
    no faces is kept, empty."""
    ethnicity = np.asarray(ethnicity)
    return {key: np.flatnonzero(ethnicity == code) for code, key in enumerate(ETHNICITY_KEYS)}


def _share(changed: np.ndarray, bootstrap: dict) -> dict:
    """The share of changed faces and its bootstrap interval."""
    share = {"changed": float(changed.mean())}
    statistic = {"changed": lambda index: changed[index].mean()}
    return share | intervals(statistic, len(changed), **bootstrap)


def change_shares(original: dict, predicted: dict, groups: dict, bootstrap: dict) -> dict:
    """Per task, the share of faces whose predicted label differs between ``original`` and
    ``predicted`` ({task: labels}), with its bootstrap interval (``bootstrap``: resamples,
    seed), and the same per group ({group: face indices}) with the group's number of faces.
    A group without faces has ``faces: 0`` and no share or interval."""
    scores = {}
    for task, labels in predicted.items():
        changed = (np.asarray(labels) != np.asarray(original[task])).astype(float)
        cell = _share(changed, bootstrap)
        for group, index in groups.items():
            cell[group] = {"faces": len(index)}
            if len(index):
                cell[group] |= _share(changed[index], bootstrap)
        scores[task] = cell
    return scores


def attribute_changes(
    classifiers: dict, clean, outputs: dict, groups: dict, bootstrap: dict, precision="fp32"
) -> dict:
    """change_shares of every restoration in ``outputs`` ({key: faces}) against the clean
    faces: {key: {task: cell}}."""
    original = predicted_labels(classifiers, clean, precision)
    found = {}
    for method, images in outputs.items():
        found[method] = change_shares(
            original, predicted_labels(classifiers, images, precision), groups, bootstrap
        )
        log.info("%s: %s", method, {t: round(s["changed"], 4) for t, s in found[method].items()})
    return found
