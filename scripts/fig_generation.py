"""Chapter 3: faces drawn at random from each VAE's prior and from the mixture fitted to its
codes, two rows per model."""

from facevae import plotstyle
from facevae.files import load_npz

LEFT = 0.24  # fraction of the width kept for the row labels
SPACE = 0.05  # space between faces, as a fraction of a face
PRIORS = {"own": "its prior", "fitted": "fitted mixture"}

params = snakemake.params
rows = []
for name, path in zip(params.names, snakemake.input):
    examples = load_npz(path)
    label = plotstyle.vae_label(params.points[name])
    rows += [(f"{label}\n{PRIORS[prior]}", examples[prior]) for prior in PRIORS]
n = min(len(images) for _, images in rows)

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
    ax_row[0].set_ylabel(title, rotation=0, ha="right", va="center", labelpad=4, fontsize=7)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
