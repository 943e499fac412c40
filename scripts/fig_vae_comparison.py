"""Figure 2.4: the same test faces reconstructed by every VAE, one row per model."""

from facevae import plotstyle
from facevae.figures import vae
from facevae.files import load_npz

params = snakemake.params
faces = load_npz(snakemake.input.faces)
evals = {name: load_npz(path) for name, path in zip(params.names, snakemake.input.examples)}
fig = vae.vae_comparison(faces["images"], evals, params.points, params.n_faces)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
