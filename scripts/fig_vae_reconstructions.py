"""Figure 2.3: the first test faces and their reconstructions by every VAE of the grid."""

from facevae import plotstyle
from facevae.figures import vae
from facevae.files import load_npz

params = snakemake.params
faces = load_npz(snakemake.input.faces)
evals = {name: load_npz(path) for name, path in zip(params.names, snakemake.input.examples)}
fig = vae.vae_reconstructions(faces["images"], evals, params.points)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
