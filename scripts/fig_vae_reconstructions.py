"""Figure 2.3: the first test faces and their reconstructions by every VAE of the grid."""

import numpy as np

from facevae import plotstyle
from facevae.files import load_npz

N_COLS = 10  # faces per row
GAP = 0.4  # height of the title strip above each block, in face heights
SPACE = 0.04  # space between faces, as a fraction of a face


faces = load_npz(snakemake.input.faces)
evals = [load_npz(path) for path in snakemake.input.examples]
index = evals[0]["index"]
for name, e in zip(snakemake.params.names, evals):  # every block must show the same faces
    assert np.array_equal(e["index"], index), f"{name} reconstructed other test faces"
# The originals are the same for every model, so they are shown once, on top, rather than
# above each block: four copies would not fit on one A4 page at a readable face size.
blocks = [("original test faces", faces["images"][index])]
blocks += [
    (plotstyle.vae_label(snakemake.params.points[name]), e["recon"])
    for name, e in zip(snakemake.params.names, evals)
]
rows = -(-len(index) // N_COLS)

# Per block: a thin strip for its title, then its rows of faces. The height makes the face
# cells square, so imshow leaves no white margins around the grid.
ratios = ([GAP] + [1] * rows) * len(blocks)
width = plotstyle.TEXT_WIDTH
face = width / (N_COLS + (N_COLS - 1) * SPACE)
height = face * (sum(ratios) + (len(ratios) - 1) * SPACE * np.mean(ratios))
fig, axes = plotstyle.figure(
    len(ratios),
    N_COLS,
    height=height,
    squeeze=False,
    gridspec_kw={
        "height_ratios": ratios,
        "hspace": SPACE,
        "wspace": SPACE,
        "left": 0,
        "right": 1,
        "bottom": 0,
        "top": 1,
    },
)
for b, (title, images) in enumerate(blocks):
    strip = axes[b * (rows + 1)]
    for ax in strip:
        ax.remove()
    box = strip[0].get_position()
    fig.text(0.5, box.y0, title, ha="center", va="bottom", fontsize=9)
    for i, ax in enumerate(axes[b * (rows + 1) + 1 : (b + 1) * (rows + 1)].ravel()):
        if i < len(images):
            plotstyle.show_face(ax, images[i])
        else:
            ax.remove()
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
