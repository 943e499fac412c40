"""Chapter 3: faces drawn at random from each VAE's prior and from the mixture fitted to its
codes, two rows per model."""

from facevae import plotstyle
from facevae.figures import beyond
from facevae.files import load_npz

params = snakemake.params
examples = {name: load_npz(path) for name, path in zip(params.names, snakemake.input)}
fig = beyond.generation(examples, params.points)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
