"""Does restoring a face change who the classifiers think it is? (chapter 3)

The chapter-1 classifiers label every clean test face and every restored version of it; a
face counts as changed by a restoration when the two predicted labels differ. The share of
changed faces is given over all test faces and per true ethnicity, with bootstrap intervals.

Restorations are keyed ``<restorer>.<what it undid>``: ``noise`` (the first noise level of the
protocol, the one the text discusses), ``erase``, or ``reconstruction`` for a VAE's pass over
the clean faces. The damaged faces themselves are the restorer ``corrupted`` and the latent
search is ``search``; a VAE is named by its grid point (z256_b0.01.noise). Keys are built
and parsed by facevae.names.method_key and parse_method_key.

A changed label means little unless the VAE changes more labels than a simpler loss of
detail would. ``reconstruction_controls`` therefore sets each VAE's reconstruction of the
clean faces against a blur and a PCA projection of the same faces at the same mean PSNR
(facevae.controls), counting only the faces whose clean version the classifier labels
correctly, and compares the VAE with each control face by face (facevae.stats.paired, drawing
whole near-copy groups of test faces).
"""

from __future__ import annotations

import logging

import numpy as np

from facevae import stats
from facevae.cnn_train import predict
from facevae.controls import FacePCA, face_psnr, matched_controls
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


def _share(changed: np.ndarray, bootstrap: dict, near=None) -> dict:
    """The share of changed faces and its bootstrap interval, drawing the near-copy groups
    ``near`` (one label per face; None: every face alone) whole."""
    share = {"changed": float(changed.mean())}
    statistic = {"changed": lambda index: changed[index].mean()}
    return share | intervals(statistic, len(changed), **bootstrap, groups=near)


def change_shares(
    original: dict, predicted: dict, groups: dict, bootstrap: dict, near=None
) -> dict:
    """Per task, the share of faces whose predicted label differs between ``original`` and
    ``predicted`` ({task: labels}), with its bootstrap interval (``bootstrap``: resamples,
    seed; ``near``: each face's near-copy group, drawn whole), and the same per group
    ({group: face indices}) with the group's number of faces. A group without faces has
    ``faces: 0`` and no share or interval."""
    near = None if near is None else np.asarray(near)
    scores = {}
    for task, labels in predicted.items():
        changed = (np.asarray(labels) != np.asarray(original[task])).astype(float)
        cell = _share(changed, bootstrap, near)
        for group, index in groups.items():
            cell[group] = {"faces": len(index)}
            if len(index):
                cell[group] |= _share(
                    changed[index], bootstrap, None if near is None else near[index]
                )
        scores[task] = cell
    return scores


def attribute_changes(
    classifiers: dict,
    clean,
    outputs: dict,
    groups: dict,
    bootstrap: dict,
    precision="fp32",
    near=None,
) -> dict:
    """change_shares of every restoration in ``outputs`` ({key: faces}) against the clean
    faces, intervals drawing the near-copy groups ``near`` whole: {key: {task: cell}}."""
    original = predicted_labels(classifiers, clean, precision)
    found = {}
    for method, images in outputs.items():
        found[method] = change_shares(
            original, predicted_labels(classifiers, images, precision), groups, bootstrap, near
        )
        log.info("%s: %s", method, {t: round(s["changed"], 4) for t, s in found[method].items()})
    return found


# --- the VAE's reconstruction against simpler losses of detail ------------------------------

PAIRED = "paired"  # a task cell's key for the VAE-minus-control differences


def _mean_cell(values, key: str, groups, bootstrap: dict) -> dict:
    """{key, key_ci95_low, key_ci95_high}: the mean of per-face ``values`` and its bootstrap
    interval over the near-copy ``groups`` (one label per face); null where not finite."""
    found = stats.mean_interval(values, groups, **bootstrap)
    numbers = {key: found["mean"], f"{key}_ci95_low": found["ci95_low"]}
    numbers[f"{key}_ci95_high"] = found["ci95_high"]
    return {name: float(v) if np.isfinite(v) else None for name, v in numbers.items()}


def _paired_cell(ours, theirs, groups, bootstrap: dict) -> dict:
    """{difference, difference_ci95_low, difference_ci95_high, verdict} of ours - theirs,
    face by face (facevae.stats.paired)."""
    found = stats.paired(ours, theirs, groups, **bootstrap)
    return {
        "difference": found["mean"],
        "difference_ci95_low": found["ci95_low"],
        "difference_ci95_high": found["ci95_high"],
        "verdict": found["verdict"],
    }


def controlled_shares(
    changed: dict, correct, ethnicity: dict, near, bootstrap: dict, reference: str = VAE
) -> dict:
    """The share of changed faces among those labelled correctly on the clean face.

    ``changed``: {restoration: bool per test face, whether its label differs from the clean
    face's}, ``reference`` (the VAE) among them; ``correct``: bool per test face;
    ``ethnicity``: {group: face indices} (ethnicity_groups); ``near``: each test face's
    near-copy group, which the bootstrap draws whole. Overall and per group: the number of
    correctly labelled faces (``faces``), each restoration's share with its interval, and
    under ``paired`` the reference minus every other restoration, face by face. A group
    without correctly labelled faces holds only ``faces: 0``."""
    correct, near = np.asarray(correct, dtype=bool), np.asarray(near)
    changed = {name: np.asarray(flags, dtype=float) for name, flags in changed.items()}

    def cell(faces: np.ndarray) -> dict:
        found = {"faces": len(faces)}
        if not len(faces):
            return found
        for name, flags in changed.items():
            found[name] = _mean_cell(flags[faces], "changed", near[faces], bootstrap)
        found[PAIRED] = {
            name: _paired_cell(changed[reference][faces], flags[faces], near[faces], bootstrap)
            for name, flags in changed.items()
            if name != reference
        }
        return found

    shares = cell(np.flatnonzero(correct))
    for group, index in ethnicity.items():
        shares[group] = cell(np.asarray(index, dtype=int)[correct[index]])
    return shares


def reconstruction_controls(
    classifiers: dict,
    faces: dict,
    split: dict,
    near,
    outputs: dict,
    val_reconstructions: dict,
    bootstrap: dict,
    precision="fp32",
) -> dict:
    """Each VAE's reconstruction of the clean test faces against a blur and a PCA projection
    at the same PSNR (facevae.controls.matched_controls, tuned on the validation faces).

    ``faces``: data/faces.npz (grey-level ``images`` and the true labels of every task in
    ``classifiers``); ``split``: data/split.npz (train, val, test indices); ``near``: the test
    faces' near-copy group labels; ``outputs``: the restorations of attribute_changes, holding
    method_key(name, "reconstruction") of every VAE of ``val_reconstructions`` ({VAE name: its
    reconstructions of the validation faces}).

    Returns {method_key(name, "reconstruction"): result}, where result holds, for ``vae``,
    ``blur`` and ``pca``, the validation PSNR matched (and sigma or components) and the test
    PSNR with its interval, and per task controlled_shares (the VAE the reference)."""
    images = {part: from_grey(faces["images"][split[part]]) for part in ("train", "val", "test")}
    clean, near = images["test"], np.asarray(near)
    truth = {task: np.asarray(faces[task])[split["test"]] for task in classifiers}
    ethnicity = ethnicity_groups(faces["ethnicity"][split["test"]])
    pca = FacePCA(images["train"])
    original = predicted_labels(classifiers, clean, precision)
    correct = {task: original[task] == truth[task] for task in classifiers}
    found = {}
    for name, val_faces in val_reconstructions.items():
        key = method_key(name, RECONSTRUCTION)
        settings, restored = matched_controls(pca, images["val"], val_faces, clean)
        restored = {VAE: outputs[key]} | restored
        result = {
            which: settings[which] | _mean_cell(face_psnr(clean, x), "test_psnr", near, bootstrap)
            for which, x in restored.items()
        }
        labels = {
            which: predicted_labels(classifiers, x, precision) for which, x in restored.items()
        }
        for task in classifiers:
            changed = {which: labels[which][task] != original[task] for which in restored}
            result[task] = controlled_shares(changed, correct[task], ethnicity, near, bootstrap)
        shares = {
            t: {w: result[t].get(w, {}).get("changed") for w in restored} for t in classifiers
        }
        log.info("%s, changed among correctly labelled faces: %s", key, shares)
        found[key] = result
    return found


def attribute_study(
    classifiers: dict,
    faces: dict,
    split: dict,
    near,
    outputs: dict,
    val_reconstructions: dict,
    bootstrap: dict,
    precision="fp32",
) -> dict:
    """The whole attribute check of the test faces: {"methods": attribute_changes of every
    restoration in ``outputs``, per true ethnicity; "controls": reconstruction_controls of
    every VAE in ``val_reconstructions``; "interval": what every interval resampled, in words
    (facevae.stats.DESCRIBE)}. Arguments as for reconstruction_controls."""
    test = split["test"]
    clean = from_grey(faces["images"][test])
    groups = ethnicity_groups(faces["ethnicity"][test])
    return {
        "methods": attribute_changes(
            classifiers, clean, outputs, groups, bootstrap, precision, near
        ),
        "controls": reconstruction_controls(
            classifiers, faces, split, near, outputs, val_reconstructions, bootstrap, precision
        ),
        "interval": stats.DESCRIBE["groups"],
    }
