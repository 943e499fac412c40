"""Figure 1.4: how the labels are distributed (ethnicity imbalance, gender, age skew)."""

from facevae import plotstyle
from facevae.figures import data
from facevae.files import load_npz

faces = load_npz(snakemake.input[0])
fig = data.label_distributions(faces["ethnicity"], faces["gender"], faces["age"])
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
