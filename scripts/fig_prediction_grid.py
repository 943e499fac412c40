"""Figure 1.13: test faces with true / predicted gender, age and ethnicity; mistakes in red."""

import re

import numpy as np

from facevae import plotstyle
from facevae.data import ETHNICITY_NAMES, GENDER_NAMES
from facevae.files import load_npz

N_COLS = 6
faces = load_npz(snakemake.input.faces)
preds = dict(zip(snakemake.params.tasks, map(load_npz, snakemake.input.predictions)))
index = preds["gender"]["index"]
for task, p in preds.items():  # the three tasks must list the same test faces in the same order
    assert np.array_equal(p["index"], index), f"{task} predictions are in a different order"
n = min(snakemake.params.n_faces, len(index))
# Short forms keep each title within its face: M/F, and "South Asian" -> "S. Asian".
short = [name[0].upper() for name in GENDER_NAMES]
ethnicity = [re.sub(r"\b(\w)\w* ", r"\1. ", name) for name in ETHNICITY_NAMES]

n_rows = -(-n // N_COLS)
fig, axes = plotstyle.figure(n_rows, N_COLS, height=1.2 * n_rows + 0.3, squeeze=False)
for i, ax in enumerate(axes.ravel()):
    if i >= n:
        ax.remove()
        continue
    (g, g_hat), (e, e_hat), (a, a_hat) = (
        (preds[t]["y_true"][i], preds[t]["y_pred"][i]) for t in ("gender", "ethnicity", "age")
    )
    plotstyle.show_face(ax, faces["images"][index[i]])
    # One line per classifier, so a wrong gender and a wrong ethnicity are each marked in red.
    lines = [
        (f"{short[g]}/{short[g_hat]}   {a}/{a_hat:.0f}", g != g_hat),
        (f"{ethnicity[e]}/{ethnicity[e_hat]}", e != e_hat),
    ]
    for k, (text, wrong) in enumerate(lines):
        style = {"color": "C3", "fontweight": "bold"} if wrong else {}
        y = 1.03 + 0.14 * (1 - k)
        ax.text(0.5, y, text, transform=ax.transAxes, ha="center", va="bottom", fontsize=7, **style)
fig.suptitle(
    f"true / predicted: gender ({short[0]} = {GENDER_NAMES[0]}, {short[1]} = {GENDER_NAMES[1]}),"
    " age in years; ethnicity. Red: wrong class.",
    fontsize=8,
)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
