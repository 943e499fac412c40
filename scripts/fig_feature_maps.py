"""Figure 1.6: one test face and the strongest feature maps of each block of the gender CNN."""

import torch

from facevae import plotstyle
from facevae.cnn import load_cnn
from facevae.files import load_npz
from facevae.runtime import image_tensor

N_MAPS = 8
faces = load_npz(snakemake.input.faces)
image = faces["images"][load_npz(snakemake.input.split)["test"][:1]]  # (1, 48, 48)
model = load_cnn(snakemake.input.model)
with torch.no_grad():
    maps = [m[0] for m in model.features.feature_maps(image_tensor(image, "cpu"))]

# Column 0 holds the input face (spanning all rows), column 1 the row labels, then the maps.
fig, axes = plotstyle.figure(
    len(maps), N_MAPS + 2, height=2.5, gridspec_kw={"width_ratios": [3.0, 2.1] + [1] * N_MAPS}
)
fig.subplots_adjust(left=0, right=1, wspace=0.15)  # the full text width; tight bbox trims
grid = axes[0, 0].get_gridspec()
for ax in axes[:, :2].ravel():
    ax.remove()
ax_input = fig.add_subplot(grid[:, 0], anchor="W")  # left-aligned, to leave room for labels
plotstyle.show_face(ax_input, image[0], f"input\n1 × {image.shape[1]} × {image.shape[2]}")

for k, (block_maps, row) in enumerate(zip(maps, axes[:, 2:]), start=1):
    # Rank by mean activation, skipping maps that are (nearly) flat for this face: dead
    # channels keep a constant batch-norm offset that can rank high but shows a blank tile.
    spread = block_maps.std(dim=(1, 2))
    flat = spread < 0.05 * spread.max()
    score = block_maps.mean(dim=(1, 2)).masked_fill(flat, float("-inf"))
    top = score.argsort(descending=True)[:N_MAPS]
    for ax, c in zip(row, top.tolist()):
        fmap = block_maps[c]
        # Scaled per map to [0, 1]: each map's own contrast, not comparable brightness.
        fmap = (fmap - fmap.min()) / (fmap.max() - fmap.min()).clamp_min(1e-8)
        plotstyle.show_face(ax, fmap.numpy(), f"ch {c}")
    shape = " × ".join(map(str, block_maps.shape))
    label = f"block {k}\n({shape})"
    row[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8, labelpad=6)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
