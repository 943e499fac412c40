"""Chapter 3: the share of test faces whose predicted gender (top) or ethnicity (bottom)
changes when a face is restored, per true ethnicity, for the chosen VAE (reconstruction,
denoising, inpainting), the latent search and the best classical restorers, with 95 %
intervals."""

import numpy as np

from facevae import plotstyle
from facevae.data import ETHNICITY_KEYS
from facevae.files import read_json
from facevae.report import best_classical, method_name

found = read_json(snakemake.input.attributes)["methods"]
restore = read_json(snakemake.input.restore)
best = read_json(snakemake.input.best)["name"]
noise = read_json(snakemake.input.attributes)["noise"]
# The best classical denoiser at the level shown, chosen as chapter 2 chooses it (PSNR).
classical = best_classical(restore[noise])
shown = {
    f"{best}.reconstruction": "VAE: reconstruction",
    f"{best}.noise": "VAE: denoising",
    f"{best}.erase": "VAE: inpainting",
    "search.noise": "latent search: denoising",
    "search.erase": "latent search: inpainting",
    f"{classical}.noise": f"{method_name(classical)}: denoising",
    "biharmonic.erase": "biharmonic: inpainting",
}
shown = {k: v for k, v in shown.items() if k in found}
tasks = ["gender", "ethnicity"]
fig, axes = plotstyle.figure(nrows=2, ncols=1, height=4.4, squeeze=False, sharex="col")
x = np.arange(len(ETHNICITY_KEYS))
width = 0.8 / len(shown)
for row, task in enumerate(tasks):
    ax = axes[row, 0]
    for k, (method, label) in enumerate(shown.items()):
        cells = [found[method][task][g] for g in ETHNICITY_KEYS]
        value = np.array([100 * (c["changed"] or 0) for c in cells])
        low = np.array([100 * c.get("changed_ci95_low", np.nan) for c in cells])
        high = np.array([100 * c.get("changed_ci95_high", np.nan) for c in cells])
        ax.bar(
            x + (k - (len(shown) - 1) / 2) * width,
            value,
            width,
            yerr=np.nan_to_num([value - low, high - value]),
            capsize=1.5,
            color=f"C{k}",
            label=label,
        )
    ax.set_ylabel(f"{task} changed (%)")
axes[-1, 0].set_xticks(x, [g.replace("_", " ") for g in ETHNICITY_KEYS])
axes[-1, 0].set_xlabel("true ethnicity")
axes[0, 0].legend(frameon=False, ncols=2, fontsize=6, loc="lower left", bbox_to_anchor=(0, 1.02))
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
