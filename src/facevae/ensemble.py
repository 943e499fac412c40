"""Chapter 3: the improved recipe's training seeds as one classifier, with test-time flips.

An ensemble averages what its models say about a face: the class probabilities of the
classifiers (not their votes) and the predicted ages. Test-time augmentation adds the
mirror image of every face, which the recipe trained on (its augmentation flips faces), and
averages the model's outputs on both. Neither needs training: both reuse the seeds the
recipe already trained, at the price of one or two more forward passes per model.
"""

from __future__ import annotations

import numpy as np
import torch

from facevae.cnn import TASKS
from facevae.cnn_train import predict, prediction_arrays
from facevae.metrics import variant_metrics
from facevae.names import ETHNICITY_KEYS, GENDER_KEYS
from facevae.runtime import image_tensor


def task_outputs(model, task: str, x: torch.Tensor, batch_size: int, precision: str = "fp32"):
    """One task's outputs of a single- or multi-task model on faces ``x`` (N, 1, 48, 48):
    class probabilities (N, classes), or ages (N,)."""
    out = predict(model, x, batch_size, precision)
    out = out[task] if isinstance(out, dict) else out
    return torch.softmax(out, 1).numpy() if TASKS[task]["classify"] else out.numpy()


def ensemble_outputs(
    models, task: str, x: torch.Tensor, batch_size: int, precision="fp32", flip=False
) -> np.ndarray:
    """The mean of ``task_outputs`` over ``models`` and, with ``flip``, over each face and
    its mirror image (flipped left to right)."""
    views = [x, torch.flip(x, dims=[-1])] if flip else [x]
    outputs = [task_outputs(m, task, view, batch_size, precision) for m in models for view in views]
    return np.mean(outputs, axis=0)


def ensemble_predictions(outputs: np.ndarray, index, y_true, task: str) -> dict:
    """A predictions file (as facevae.cnn_train.prediction_arrays writes) of averaged
    outputs: the class with the highest mean probability and the probabilities, or the
    mean age."""
    if TASKS[task]["classify"]:  # prediction_arrays takes logits: log p gives p back
        with np.errstate(divide="ignore"):
            outputs = np.log(outputs)
    return prediction_arrays(outputs, index, y_true)


CLASS_KEYS = {"gender": GENDER_KEYS, "ethnicity": ETHNICITY_KEYS, "age": None}
KINDS = {"ensemble": False, "ensemble_flip": True}  # the report's two rows, by whether they flip


def ensemble_protocol(
    models: dict[str, list],
    faces: dict,
    split: dict,
    single: dict[str, dict],
    histories: dict[str, list],
    *,
    reference: str,
    device="cpu",
    batch_size: int = 1024,
    precision: str = "fp32",
    bootstrap=None,
) -> dict:
    """Every task's ensemble, without and with flipped faces, scored as a chapter-3 variant
    (facevae.metrics.variant_metrics) against the single models it is made of.

    ``models[task]``: the recipe's model of each seed that predicts ``task``; ``faces`` the
    uint8 images and labels, ``split`` the row numbers of the "val" and "test" faces;
    ``single[task]`` = {"val": [...], "test": [...]}, the seeds' predictions files and
    ``histories[task]`` their training histories; ``reference`` the recipe's name;
    ``bootstrap``: resamples, seed and ``groups`` (the near-copy group of every face).
    Returns {kind: {task: metrics}} for kind "ensemble" (the mean of the seeds) and
    "ensemble_flip" (each face and its mirror image as well); their ``versus`` holds the
    ensemble minus the single models' mean, each side's seeds drawn on their own.
    """
    bootstrap = dict(bootstrap or {})
    groups = bootstrap.pop("groups", None)
    x = {part: image_tensor(faces["images"][split[part]], device) for part in ("val", "test")}
    out = {kind: {} for kind in KINDS}
    for kind, flip in KINDS.items():
        for task, task_models in models.items():
            runs = {}
            for part in ("val", "test"):
                mean = ensemble_outputs(task_models, task, x[part], batch_size, precision, flip)
                labels = faces[task][split[part]]
                runs[part] = [ensemble_predictions(mean, split[part], labels, task)]
            test_groups = None if groups is None else groups[split["test"]]
            out[kind][task] = variant_metrics(
                runs,
                single[task],
                histories[task],
                CLASS_KEYS[task],
                reference,
                groups=test_groups,
                **bootstrap,
            ) | {"models": len(task_models), "flip": flip}
    return out
