"""Figure 1.3: the mean face of every gender x age bucket."""

from facevae import plotstyle
from facevae.figures import data
from facevae.files import load_npz

faces = load_npz(snakemake.input[0])
fig = data.mean_faces_by_age(
    faces["images"], faces["gender"], faces["age"], snakemake.params.age_edges
)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
