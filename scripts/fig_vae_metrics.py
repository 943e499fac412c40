"""Figure 2.5: PSNR, SSIM and MSE of every VAE's reconstructions of the test split."""

from facevae import plotstyle
from facevae.figures import vae
from facevae.files import load_npz

params = snakemake.params
evals = {name: load_npz(path) for name, path in zip(params.names, snakemake.input)}
fig = vae.vae_metrics(evals, params.points)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
