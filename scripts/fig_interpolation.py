"""Figure 2.7: faces decoded along a square grid spanned by four latent codes (the corners)."""

from facevae import plotstyle
from facevae.files import load_npz

data = load_npz(snakemake.input[0])
images = data["images"]  # (steps, steps, 48, 48)
steps = images.shape[0]
fig, axes = plotstyle.figure(
    steps,
    steps,
    height=plotstyle.TEXT_WIDTH * 0.8,
    width=plotstyle.TEXT_WIDTH * 0.8,
    gridspec_kw={"wspace": 0.03, "hspace": 0.03},
)
for i in range(steps):
    for j in range(steps):
        plotstyle.show_face(axes[i, j], images[i, j])
        if (i, j) in ((0, 0), (0, steps - 1), (steps - 1, 0), (steps - 1, steps - 1)):
            for spine in axes[i, j].spines.values():  # mark the four sampled corner codes
                spine.set_visible(True)
                spine.set_edgecolor("C3")
                spine.set_linewidth(1.5)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
