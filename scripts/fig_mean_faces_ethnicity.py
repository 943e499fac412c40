"""Figure 1.2: the mean face of every gender x ethnicity cell."""

from facevae import plotstyle
from facevae.data import ETHNICITY_NAMES, GENDER_NAMES
from facevae.files import load_npz

faces = load_npz(snakemake.input[0])
fig, axes = plotstyle.figure(len(GENDER_NAMES), len(ETHNICITY_NAMES), height=3.0)
for g, gender in enumerate(GENDER_NAMES):
    for e, ethnicity in enumerate(ETHNICITY_NAMES):
        ax = axes[g, e]
        cell = (faces["gender"] == g) & (faces["ethnicity"] == e)
        if cell.any():
            plotstyle.show_face(ax, faces["images"][cell].mean(axis=0) / 255, f"n = {cell.sum():,}")
        else:
            plotstyle.show_face(ax, faces["images"][0] * 0, "no faces")
        if g == 0:
            ax.text(0.5, 1.25, ethnicity, transform=ax.transAxes, ha="center", fontsize=9)
        if e == 0:
            ax.set_ylabel(gender, fontsize=9)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
