"""Figure 2.7: faces decoded along a square grid spanned by four latent codes (the corners)."""

from facevae import plotstyle
from facevae.figures import restore
from facevae.files import load_npz

images = load_npz(snakemake.input[0])["images"]  # (steps, steps, 48, 48)
fig = restore.interpolation(images)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
