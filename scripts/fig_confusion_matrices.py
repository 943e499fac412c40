"""Figure 1.9: confusion matrices of the gender and ethnicity CNNs on the test split."""

import numpy as np

from facevae import plotstyle
from facevae.data import ETHNICITY_NAMES, GENDER_NAMES
from facevae.files import load_npz
from facevae.metrics import confusion

NAMES = {"gender": GENDER_NAMES, "ethnicity": ETHNICITY_NAMES}
tasks = snakemake.params.tasks
# Panel widths follow the class counts, so the 5 x 5 matrix gets the room its cells need.
fig, axes = plotstyle.figure(
    1,
    len(tasks),
    height=3.0,
    squeeze=False,
    layout="constrained",
    gridspec_kw={"width_ratios": [len(NAMES[t]) for t in tasks]},
)
for ax, task, path in zip(axes[0], tasks, snakemake.input):
    names = NAMES[task]
    pred = load_npz(path)
    counts = confusion(pred["y_true"], pred["y_pred"], len(names))
    # Row shares (recall): an empty true class gives a row of zeros, not NaN.
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for (i, j), n in np.ndenumerate(counts):
        colour = "white" if share[i, j] > 0.55 else "black"  # stay legible on dark cells
        ax.text(
            j, i, f"{n:,}\n{share[i, j]:.0%}", ha="center", va="center", fontsize=7, color=colour
        )
    ticks = range(len(names))
    tilt = len(names) > 2  # long names side by side would collide
    ax.set_xticks(ticks, names, rotation=30 if tilt else 0, ha="right" if tilt else "center")
    ax.set_yticks(ticks, names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{task} (accuracy {np.trace(counts) / counts.sum():.1%})")
    for spine in ax.spines.values():
        spine.set_visible(False)
fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8, label="share of true class")
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
