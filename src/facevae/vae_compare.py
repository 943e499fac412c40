"""Chapter 3's improved VAE against the original's architecture, PCA and its own ablation.

Every comparison is paired: the same test (or validation) faces, the same training seeds,
the per-face difference of PSNR resampled by near-copy groups and seeds
(facevae.stats.paired). The choices it informs (which ingredients to keep) read validation
faces only; the test faces give the final numbers of the recipe against the rest.
"""

from __future__ import annotations

import numpy as np

from facevae.stats import describe, mean_interval, paired


def _stack(runs) -> np.ndarray:
    return np.stack([np.asarray(run, dtype=float) for run in runs])  # (seeds, faces)


def compare_recipe(
    improved: list,
    paper: list,
    yardstick,
    ablation: dict[str, tuple[list, list]],
    minutes: dict[str, float],
    *,
    groups=None,
    val_groups=None,
    resamples: int = 2000,
    seed: int = 0,
) -> dict:
    """The numbers of the recipe's table.

    ``improved`` and ``paper``: per-face test PSNR of each seed (the same seeds, in the same
    order); ``yardstick``: PCA's per-face test PSNR with as many components as the latent
    code, or None. ``ablation``: {ingredient: (the variant's per-face validation PSNR per
    seed, the recipe's on the same seeds)}. ``minutes``: CPU minutes of one training run,
    by "improved", "paper" and ingredient. ``groups`` / ``val_groups``: near-copy groups of
    the test / validation faces.

    Returns {"improved", "paper": mean test PSNR with its interval, "versus_paper" and
    "versus_pca": paired differences (the recipe minus the other), "ablation": {ingredient:
    {"difference": the variant minus the recipe on validation faces, "minutes"}},
    "minutes", "interval": the kind of the test intervals}.
    """
    draw = {"resamples": resamples, "seed": seed}
    ours, theirs = _stack(improved), _stack(paper)
    out = {
        "improved": mean_interval(ours, groups, **draw),
        "paper": mean_interval(theirs, groups, **draw),
        "versus_paper": paired(ours, theirs, groups, **draw),
        "minutes": {key: float(value) for key, value in minutes.items()},
        "interval": describe(len(ours), paired=True),
    }
    if yardstick is not None:
        pca = np.broadcast_to(np.asarray(yardstick, dtype=float), ours.shape)
        out["versus_pca"] = paired(ours, pca, groups, **draw) | {"interval": describe(len(ours))}
        out["pca"] = mean_interval(yardstick, groups, **draw)
    out["ablation"] = {
        ingredient: {
            "difference": paired(_stack(variant), _stack(full), val_groups, **draw),
            "interval": describe(len(variant), paired=True, part="validation"),
            "minutes": float(minutes[ingredient]),
        }
        for ingredient, (variant, full) in ablation.items()
    }
    return out
