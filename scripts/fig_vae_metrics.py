"""Figure 2.5: PSNR, SSIM and MSE of every VAE's reconstructions of the test split."""

import numpy as np

from facevae import plotstyle
from facevae.files import load_npz
from facevae.metrics import HIGHER_IS_BETTER

AXIS_LABELS = {
    "psnr": "PSNR (dB)",
    "ssim": "SSIM (at most 1)",
    "mse": "MSE (pixel values in [0, 1])",
}


names = snakemake.params.names
evals = [load_npz(path) for path in snakemake.input]
n_test = len(evals[0]["psnr"])
# Models on the vertical axis: their labels are too long to sit side by side under a third
# of the page's width, and this way they are written once for all three panels.
fig, axes = plotstyle.figure(
    1, len(AXIS_LABELS), height=0.45 * len(names) + 0.9, sharey=True, layout="constrained"
)
y = np.arange(len(names))
for ax, (metric, axis_label) in zip(axes, AXIS_LABELS.items()):
    values = [e[metric] for e in evals]
    # Whiskers at the 5th and 95th percentiles and no outlier dots: with thousands of test
    # faces the dots would merge into a smear that hides the boxes.
    ax.boxplot(
        values,
        positions=y,
        orientation="horizontal",
        widths=0.55,
        whis=(5, 95),
        showfliers=False,
        showmeans=True,
        patch_artist=True,
        boxprops={"facecolor": "C0", "alpha": 0.35},
        medianprops={"color": "C0"},
        meanprops={"marker": "D", "markerfacecolor": "black", "markeredgecolor": "none", "ms": 4},
    )
    better = "higher" if HIGHER_IS_BETTER[metric] else "lower"
    ax.set_title(f"{better} is better")
    ax.set_xlabel(axis_label)
    ax.grid(axis="x", lw=0.4, color="0.85")
    ax.set_axisbelow(True)
axes[0].set_yticks(y, [plotstyle.vae_label(snakemake.params.points[name]) for name in names])
axes[0].invert_yaxis()  # the first model of the grid on top
fig.suptitle(
    f"{n_test:,} test faces per model. Box: quartiles and median; whiskers: 5th to 95th"
    " percentile; ◆: mean.",
    fontsize=8,
)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
