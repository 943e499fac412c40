"""Figure 1.11: predicted vs true ages of the age CNN on the test split."""

from facevae import plotstyle
from facevae.figures import supervised
from facevae.files import load_npz

pred = load_npz(snakemake.input[0])
fig = supervised.age_histogram(pred["y_true"], pred["y_pred"])
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
