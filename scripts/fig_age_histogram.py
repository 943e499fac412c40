"""Figure 1.11: predicted vs true ages of the age CNN on the test split."""

import numpy as np

from facevae import plotstyle
from facevae.files import load_npz

pred = load_npz(snakemake.input[0])
true, guess = pred["y_true"].astype(float), pred["y_pred"].astype(float)
fig, (ax_hist, ax_scatter) = plotstyle.figure(
    1, 2, height=2.6, gridspec_kw={"width_ratios": [1.8, 1]}
)

# Same 5-year bins for both, wide enough to cover predictions outside the label range.
top = max(true.max(), guess.max())
bins = np.arange(min(0, np.floor(guess.min() / 5) * 5), top + 5, 5)
ax_hist.hist(true, bins=bins, color="0.6", label="true")
ax_hist.hist(guess, bins=bins, histtype="step", lw=1.5, color="C3", label="predicted")
ax_hist.set_xlabel("age (years)")
ax_hist.set_ylabel("faces")
ax_hist.set_title(f"test split, {len(true):,} faces")
ax_hist.legend(frameon=False)

mae = np.mean(np.abs(guess - true))
ax_scatter.scatter(true, guess, s=4, alpha=0.4, color="C0", linewidths=0)
limits = (bins[0], bins[-1])
ax_scatter.plot(limits, limits, color="0.3", lw=0.8, ls="--", label="identity")
ax_scatter.set(xlim=limits, ylim=limits, aspect="equal")
ax_scatter.set_xlabel("true age (years)")
ax_scatter.set_ylabel("predicted age (years)")
ax_scatter.set_title(f"MAE {mae:.1f} years")
ax_scatter.legend(frameon=False, loc="upper left")
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
