"""Figure 1.12: gender accuracy of the CNN on the test split, by age bucket."""

from facevae import plotstyle
from facevae.figures import supervised
from facevae.files import load_npz

faces = load_npz(snakemake.input.faces)
pred = load_npz(snakemake.input.predictions)
ages = faces["age"][pred["index"]]  # of the test faces, in the order of the predictions
fig = supervised.gender_by_age(ages, pred["y_true"], pred["y_pred"], snakemake.params.age_edges)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
