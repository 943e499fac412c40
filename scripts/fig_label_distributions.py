"""Figure 1.4: how the labels are distributed (ethnicity imbalance, gender, age skew)."""

import numpy as np

from facevae import plotstyle
from facevae.data import ETHNICITY_NAMES, GENDER_NAMES, LABEL_RANGES
from facevae.files import load_npz

faces = load_npz(snakemake.input[0])
fig, (ax_eth, ax_gen, ax_age) = plotstyle.figure(
    1, 3, height=2.4, gridspec_kw={"width_ratios": [2.2, 1, 2.6]}
)

for ax, key, names in ((ax_eth, "ethnicity", ETHNICITY_NAMES), (ax_gen, "gender", GENDER_NAMES)):
    counts = np.bincount(faces[key], minlength=len(names))
    bars = ax.bar(range(len(names)), counts, color="0.45")
    ax.bar_label(bars, [f"{c:,}" for c in counts], fontsize=7)
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_ylabel("faces")
    ax.set_title(key)

low, high = LABEL_RANGES["age"]
ax_age.hist(faces["age"], bins=np.arange(low, high + 2) - 0.5, color="0.45")
median = np.median(faces["age"])
ax_age.axvline(median, color="C3", lw=1, label=f"median {median:g}")
ax_age.set_xlabel("age (years)")
ax_age.set_ylabel("faces")
ax_age.set_title("age")
ax_age.legend(frameon=False)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
