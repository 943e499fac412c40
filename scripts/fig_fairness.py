"""Chapter 3: test accuracy of each classifier per age bucket and per ethnicity, the paper
model beside the improved recipe, with 95 % intervals."""

import numpy as np

from facevae import plotstyle
from facevae.files import read_json

found = read_json(snakemake.input[0])
models = {"paper": "paper model", "improved": "improved recipe"}
tasks = list(found["paper"])
groupings = {"age": "age (years)", "ethnicity": "ethnicity"}
fig, axes = plotstyle.figure(
    nrows=len(tasks),
    ncols=2,
    height=1.9 * len(tasks) + 0.8,
    squeeze=False,
    sharey="row",
    sharex="col",
)
width = 0.38
for row, task in enumerate(tasks):
    for col, (by, label) in enumerate(groupings.items()):
        ax = axes[row, col]
        groups = [g for g in found["paper"][task][by] if g != "gap"]
        x = np.arange(len(groups))
        for k, (model, name) in enumerate(models.items()):
            cells = [found[model][task][by][g] for g in groups]
            value = np.array([100 * c["accuracy"] for c in cells])
            low = np.array([100 * c.get("accuracy_ci95_low", np.nan) for c in cells])
            high = np.array([100 * c.get("accuracy_ci95_high", np.nan) for c in cells])
            ax.bar(
                x + (k - 0.5) * width,
                value,
                width,
                yerr=np.nan_to_num([value - low, high - value]),
                capsize=2,
                color=f"C{k}",
                label=name,
            )
        ax.set_xticks(x, [g.replace("_", " ") for g in groups], rotation=30, ha="right")
        if row == len(tasks) - 1:  # the columns share their groups: named once, at the bottom
            ax.set_xlabel(label)
        ax.set_ylim(0, 100)
        if col == 0:
            ax.set_ylabel(f"{task} accuracy (%)")
axes[0, 0].legend(frameon=False, ncols=2, loc="lower left", bbox_to_anchor=(0, 1.02))
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
