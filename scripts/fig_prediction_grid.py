"""Figure 1.13: test faces with true / predicted gender, age and ethnicity; mistakes in red."""

from facevae import plotstyle
from facevae.figures import supervised
from facevae.files import load_npz

faces = load_npz(snakemake.input.faces)
predictions = dict(zip(snakemake.params.tasks, map(load_npz, snakemake.input.predictions)))
fig = supervised.prediction_grid(faces["images"], predictions, snakemake.params.n_faces)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
