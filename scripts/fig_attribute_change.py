"""Chapter 3: the share of test faces whose predicted gender (top) or ethnicity (middle)
changes when a face is restored, per true ethnicity, for the chosen VAE (reconstruction,
denoising, inpainting), the latent search and the best classical restorers, and (bottom) the
chosen VAE's reconstruction beside a blur and PCA at the same PSNR, with 95 % intervals."""

from facevae import plotstyle
from facevae.figures import beyond
from facevae.files import read_json

found = read_json(snakemake.input.attributes)
restore = read_json(snakemake.input.restore)
best = read_json(snakemake.input.best)["name"]
fig = beyond.attribute_change(found, restore, best)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
