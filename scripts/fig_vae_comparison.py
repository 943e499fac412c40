"""Figure 2.4: the same test faces reconstructed by every VAE, one row per model."""

import numpy as np

from facevae import plotstyle
from facevae.files import load_npz

LEFT = 0.13  # fraction of the width kept for the row labels
SPACE = 0.05  # space between faces, as a fraction of a face


faces = load_npz(snakemake.input.faces)
evals = [load_npz(path) for path in snakemake.input.examples]
index = evals[0]["index"]
for name, e in zip(snakemake.params.names, evals):  # a column must be one face in every row
    assert np.array_equal(e["index"], index), f"{name} reconstructed other test faces"
n = min(snakemake.params.n_faces, len(index))
# Models as rows, faces as columns: with four models and eight faces this uses the page's
# width, and each column reads top-down as one face through all models.
rows = [("original", faces["images"][index[:n]])]
rows += [
    (plotstyle.vae_label(snakemake.params.points[name], "\n"), e["recon"][:n])
    for name, e in zip(snakemake.params.names, evals)
]

# The height makes the face cells square, so imshow leaves no white margins between them.
face = (1 - LEFT) * plotstyle.TEXT_WIDTH / (n + (n - 1) * SPACE)
fig, axes = plotstyle.figure(
    len(rows),
    n,
    height=face * (len(rows) + (len(rows) - 1) * SPACE),
    squeeze=False,
    gridspec_kw={"hspace": SPACE, "wspace": SPACE, "left": LEFT, "right": 1, "bottom": 0, "top": 1},
)
for ax_row, (title, images) in zip(axes, rows):
    for ax, image in zip(ax_row, images):
        plotstyle.show_face(ax, image)
    ax_row[0].set_ylabel(title, rotation=0, ha="right", va="center", labelpad=4)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
