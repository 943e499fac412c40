"""Figure 1.3: the mean face of every gender x age bucket."""

import numpy as np

from facevae import SIDE, plotstyle
from facevae.data import GENDER_NAMES
from facevae.files import load_npz

faces = load_npz(snakemake.input[0])
edges = snakemake.params.age_edges
labels = [f"{lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:])]
bucket = np.digitize(faces["age"], edges) - 1
fig, axes = plotstyle.figure(len(GENDER_NAMES), len(labels), height=2.4, squeeze=False)
for g, gender in enumerate(GENDER_NAMES):
    for b, label in enumerate(labels):
        ax = axes[g, b]
        cell = (faces["gender"] == g) & (bucket == b)
        if cell.any():
            plotstyle.show_face(ax, faces["images"][cell].mean(axis=0) / 255, f"n = {cell.sum():,}")
        else:
            plotstyle.show_face(ax, np.zeros((SIDE, SIDE)), "no faces")
        if g == 0:
            ax.text(0.5, 1.3, f"age {label}", transform=ax.transAxes, ha="center", fontsize=8)
        if b == 0:
            ax.set_ylabel(gender, fontsize=9)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
