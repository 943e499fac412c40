"""Figure 1.2: the mean face of every gender x ethnicity cell."""

from facevae import plotstyle
from facevae.figures import data
from facevae.files import load_npz

faces = load_npz(snakemake.input[0])
fig = data.mean_faces_by_ethnicity(faces["images"], faces["gender"], faces["ethnicity"])
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
