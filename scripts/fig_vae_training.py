"""Training curves of the VAE grid: validation reconstruction error and KL term per epoch,
one line per grid point (the first seed's run)."""

from facevae import plotstyle
from facevae.figures import vae
from facevae.files import read_json

params = snakemake.params
histories = {name: read_json(path) for name, path in zip(params.names, snakemake.input)}
fig = vae.vae_training(histories, params.points)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
