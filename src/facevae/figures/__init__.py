"""The report's figures, one module per chapter: data, supervised (the CNNs), vae, restore and
beyond (chapter 3).

Each figure is one function that takes results already loaded (arrays, dicts read from the
workflow's npz and JSON files) and returns a matplotlib Figure in the shared look of
facevae.plotstyle; the scripts in scripts/fig_*.py only load, call and save.
"""

from __future__ import annotations

import numpy as np


def shared_index(runs: dict[str, dict]) -> np.ndarray:
    """The faces (``index``) that every run's arrays list, which must be the same faces in the
    same order: a column of a figure shows one face through every model or task."""
    names = list(runs)
    index = runs[names[0]]["index"]
    for name in names[1:]:
        if not np.array_equal(runs[name]["index"], index):
            raise ValueError(f"{name} holds other faces, or another order, than {names[0]}")
    return index
