"""Figure 1.10: precision, recall and F1 per class of the gender and ethnicity CNNs."""

import numpy as np

from facevae import plotstyle
from facevae.data import ETHNICITY_KEYS, ETHNICITY_NAMES, GENDER_KEYS, GENDER_NAMES
from facevae.files import read_json

CLASSES = {"gender": (GENDER_KEYS, GENDER_NAMES), "ethnicity": (ETHNICITY_KEYS, ETHNICITY_NAMES)}
SCORES = ("precision", "recall", "f1")
WIDTH = 0.26  # bar width; three bars fill most of one class slot
tasks = snakemake.params.tasks
# Panel widths follow the class counts, so bars are equally wide in both panels.
fig, axes = plotstyle.figure(
    1,
    len(tasks),
    height=2.8,
    sharey=True,
    squeeze=False,
    layout="constrained",
    gridspec_kw={"width_ratios": [len(CLASSES[t][0]) for t in tasks]},
)
for ax, task, path in zip(axes[0], tasks, snakemake.input):
    keys, names = CLASSES[task]
    per_class = read_json(path)["class"]
    x = np.arange(len(keys))
    for k, score in enumerate(SCORES):
        values = [per_class[key][score] for key in keys]
        label = "F1" if score == "f1" else score
        bars = ax.bar(x + (k - 1) * WIDTH, values, WIDTH, color=f"C{k}", label=label)
        # A zero bar is invisible; label it so it does not read as a missing value.
        ax.bar_label(bars, ["0" if v == 0 else "" for v in values], fontsize=7, color=f"C{k}")
    # Support under each name: a score on 10 faces is far noisier than on 1,000.
    labels = [f"{name}\nn = {per_class[key]['support']:,}" for key, name in zip(keys, names)]
    ax.set_xticks(x, labels)
    ax.set_ylim(0, 1)
    ax.set_xlim(-0.6, len(keys) - 0.4)
    ax.grid(axis="y", lw=0.4, color="0.85")
    ax.set_axisbelow(True)
    ax.set_title(task)
axes[0, 0].set_ylabel("score")
handles, labels = axes[0, 0].get_legend_handles_labels()
fig.legend(handles, labels, frameon=False, ncols=3, loc="outside upper center")
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
