"""Figure 1.12: gender accuracy of the CNN on the test split, by age bucket."""

import numpy as np

from facevae import plotstyle
from facevae.files import load_npz

faces = load_npz(snakemake.input.faces)
pred = load_npz(snakemake.input.predictions)
edges = snakemake.params.age_edges
labels = [f"{lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:])]
bucket = np.digitize(faces["age"][pred["index"]], edges) - 1
correct = pred["y_true"] == pred["y_pred"]
n = np.bincount(bucket, minlength=len(labels))
hits = np.bincount(bucket, weights=correct, minlength=len(labels))
# NaN for empty buckets, so the line shows a gap instead of a misleading 0 %.
accuracy = np.where(n > 0, 100 * hits / np.maximum(n, 1), np.nan)

fig, ax = plotstyle.figure(height=2.6)
x = np.arange(len(labels))
# Counts go behind, on their own axis: accuracy is the subject, counts say how far to trust it.
ax_n = ax.twinx()
ax_n.bar(x, n, width=0.6, color="0.85", label="test faces")
ax_n.set_ylabel("test faces", color="0.4")
ax_n.tick_params(axis="y", colors="0.4")
ax_n.spines["right"].set_visible(True)
ax.set_zorder(ax_n.get_zorder() + 1)  # line above the bars
ax.patch.set_visible(False)
ax.plot(x, accuracy, "o-", color="C0", clip_on=False, label="gender accuracy")  # 100 % stays whole
overall = 100 * correct.mean()
ax.axhline(overall, color="C0", lw=0.8, ls=":", label=f"all ages ({overall:.1f} %)")
ax.set_xticks(x, labels, rotation=30 if len(labels) > 8 else 0)  # many buckets collide
ax.set_xlabel("age (years)")
ax.set_ylabel("accuracy (%)")
ax.set_ylim(0, 100)
handles = ax.get_legend_handles_labels()[0] + ax_n.get_legend_handles_labels()[0]
ax.legend(handles=handles, frameon=False, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.02))
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
